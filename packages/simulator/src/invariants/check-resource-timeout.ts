import { isTerminalPhase } from '@bgsession/core';
import type { TraceEntry } from '../trace/trace-entry.js';
import type { Violation } from './invariant-sentences.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #11 Timeouts hold (the resource deadline): no task's end is committed later than
 * `timeoutForResource` after its creation, counting time the host was dead or suspended: a deadline
 * that falls while no process runs is due when one runs again. Tasks that lived through a jump of
 * the wall clock are not judged: the trace's times are wall-clock times.
 *
 * @example
 * ```ts
 * expect(checkResourceTimeout(input)).toEqual([]);
 * ```
 */
export function checkResourceTimeout(input: WorldCheckInput): Violation[] {
  const entries = input.trace.entries;
  const ends = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind !== 'commit') continue;
    for (const task of entry.tasks) {
      const key = `${entry.session}#${task.taskIdentifier}`;
      if (isTerminalPhase(task.phase) && !ends.has(key)) ends.set(key, entry.at);
    }
  }
  const last = entries.at(-1)?.at ?? 0;
  const jumps = entries.filter((entry) => entry.kind === 'fault' && entry.description.startsWith('wall clock jumps'));
  const stops = stoppedPeriods(entries);
  const violations: Violation[] = [];
  for (const created of input.trace.ofKind('created')) {
    const timeout = input.limits.get(created.session)?.timeoutForResource;
    if (timeout === undefined) continue;
    const due = runningAgainAt(stops, created.at + timeout);
    const end = ends.get(`${created.session}#${created.taskIdentifier}`) ?? null;
    if (jumps.some((jump) => jump.at >= created.at && (end === null || jump.at <= end))) continue;
    if ((end !== null && end > due) || (end === null && last > due)) {
      violations.push({
        invariant: 11,
        message: `task ${created.taskIdentifier} of ${created.session}, created at t=${created.at} with a ${timeout} ms resource timeout, ${end === null ? `had not ended at t=${last}` : `ended at t=${end}`} (due by t=${due})`,
      });
    }
  }
  return violations;
}

/** The periods the host was not running (killed, powered off or suspended), from the stop to the next launch or resume. */
function stoppedPeriods(entries: readonly TraceEntry[]): Array<{ readonly from: number; readonly until: number }> {
  const periods: Array<{ readonly from: number; readonly until: number }> = [];
  let stoppedSince: number | null = null;
  for (const entry of entries) {
    if (entry.kind === 'kill' || entry.kind === 'powerLoss' || entry.kind === 'suspend') stoppedSince ??= entry.at;
    else if (entry.kind === 'launch' || entry.kind === 'resume') {
      if (stoppedSince !== null) periods.push({ from: stoppedSince, until: entry.at });
      stoppedSince = null;
    }
  }
  return periods;
}

/**
 * When the host runs again at or after `at`: `at` itself, or the end of the stop that covers it,
 * and of the stop after it when that one begins as the first ends (a host resumed and killed in the
 * same instant, at the very commit of the end that was due: the next launch is when it can be).
 */
function runningAgainAt(stops: ReadonlyArray<{ readonly from: number; readonly until: number }>, at: number): number {
  let running = at;
  for (let covering = stops.find((stop) => stop.from <= running && stop.until > running); covering !== undefined; covering = stops.find((stop) => stop.from <= running && stop.until > running)) {
    running = covering.until;
  }
  return running;
}
