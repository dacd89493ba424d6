import type { TaskInfo } from '@bgsession/core';
import type { StoryLog } from './story-log.js';

/** Prints a task's phase changes and measures its backoffs. */
export interface PhaseWatcher {
  /** Compares a fresh snapshot with the last one and prints what changed. */
  poll(info: TaskInfo | undefined): void;
  /** Every phase seen, in order (`backingOff`, or `scheduled (slot)` with its reason). */
  readonly phases: readonly string[];
  /** How long each backoff lasted, ms of virtual time, in order. */
  readonly backoffs: readonly number[];
}

/**
 * Creates a {@link PhaseWatcher}. The delay of a backoff is measured from the step at which the
 * task was seen `backingOff` to the step at which it left; the clock moves timer by timer, so both
 * are the exact instants of the change.
 *
 * @example
 * ```ts
 * const watcher = createPhaseWatcher(log);
 * await runClockUntil(host.clock, done, { onStep: () => watcher.poll(task.info()) });
 * ```
 */
export function createPhaseWatcher(log: StoryLog): PhaseWatcher {
  const phases: string[] = [];
  const backoffs: number[] = [];
  let last: string | null = null;
  let backingOffSince: number | null = null;
  return {
    phases,
    backoffs,
    poll(info) {
      if (info === undefined) return;
      const now = `${info.phase}${info.reason === null ? '' : ` (${info.reason})`}`;
      if (now === last) return;
      let detail = '';
      if (backingOffSince !== null && info.phase !== 'backingOff') {
        const delay = log.elapsed() - backingOffSince;
        backoffs.push(delay);
        backingOffSince = null;
        detail = `  after a backoff of ${delay} ms`;
      }
      if (info.phase === 'backingOff') backingOffSince = log.elapsed();
      if (info.error !== null) detail += `  error: ${info.error.code}`;
      log.at(`task ${info.taskIdentifier} is ${now}${detail}`);
      phases.push(now);
      last = now;
    },
  };
}
