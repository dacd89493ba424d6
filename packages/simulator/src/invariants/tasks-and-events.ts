import { isTerminalPhase } from '@bgsession/core';
import type { Trace } from '../trace/trace.js';
import type { TraceEntry } from '../trace/trace-entry.js';
import type { Violation } from './invariant-sentences.js';

/** What the checkers of tasks and events need besides the trace. */
export interface TaskEventsInput {
  readonly trace: Trace;
  /** The tasks the sessions hold now (after the last relaunch), by session identifier. */
  readonly liveTasks: ReadonlyMap<string, ReadonlySet<number>>;
  /** Whether the run ended quiescent: every task had time to end and its events to be acknowledged. */
  readonly settled: boolean;
}

const taskKey = (session: string, taskIdentifier: number) => `${session}#${taskIdentifier}`;

/**
 * #1 No task is lost: every task whose creation resolved is either still in its session's store or
 * has a terminal event whose acknowledgement was committed.
 *
 * @example
 * ```ts
 * expect(checkNoTaskLost({ trace: world.trace, liveTasks: world.liveTasks(), settled: true })).toEqual([]);
 * ```
 */
export function checkNoTaskLost(input: TaskEventsInput): Violation[] {
  const acknowledgedTasks = acknowledgedTerminalTasks(input.trace.entries);
  const violations: Violation[] = [];
  for (const created of input.trace.ofKind('created')) {
    const live = input.liveTasks.get(created.session)?.has(created.taskIdentifier) ?? false;
    if (!live && !acknowledgedTasks.has(taskKey(created.session, created.taskIdentifier))) {
      violations.push({ invariant: 1, message: `task ${created.taskIdentifier} of ${created.session} (created at t=${created.at}) is neither stored nor acknowledged` });
    }
  }
  return violations;
}

/**
 * #2 One end, acknowledged once: a task's terminal event is committed with one eventId, delivered
 * only with it, its acknowledgement committed at most once (exactly once when the run settled),
 * and never delivered after that commit.
 *
 * @example
 * ```ts
 * expect(checkOneEnd({ trace: world.trace, liveTasks: world.liveTasks(), settled: true })).toEqual([]);
 * ```
 */
export function checkOneEnd(input: TaskEventsInput): Violation[] {
  const violations: Violation[] = [];
  const terminalIds = new Map<string, Set<string>>();
  const sequenceOf = new Map<string, { session: string; sequence: number; task: number | null; type: string }>();
  const ackedAt = new Map<string, number>();
  const entries = input.trace.entries;
  entries.forEach((entry, index) => {
    if (entry.kind === 'commit') {
      for (const event of entry.events) {
        sequenceOf.set(event.eventId, { session: entry.session, sequence: event.sequence, task: event.taskIdentifier, type: event.type });
        if (event.type === 'taskDidComplete' && event.taskIdentifier !== null) {
          const key = taskKey(entry.session, event.taskIdentifier);
          const ids = terminalIds.get(key) ?? new Set<string>();
          ids.add(event.eventId);
          terminalIds.set(key, ids);
        }
      }
      for (const sequence of entry.acknowledged) {
        for (const [eventId, known] of sequenceOf) {
          if (known.session !== entry.session || known.sequence !== sequence) continue;
          if (ackedAt.has(eventId)) violations.push({ invariant: 2, message: `event ${eventId} (${known.type} of task ${String(known.task)}) acknowledged twice, at t=${entry.at}` });
          else ackedAt.set(eventId, index);
        }
      }
    } else if (entry.kind === 'delivered') {
      const acked = ackedAt.get(entry.eventId);
      if (acked !== undefined && acked < index) {
        violations.push({ invariant: 2, message: `event ${entry.eventId} (${entry.type} of task ${String(entry.taskIdentifier)}) delivered at t=${entry.at} after its acknowledgement was committed` });
      }
    }
  });
  for (const [key, ids] of terminalIds) {
    if (ids.size > 1) violations.push({ invariant: 2, message: `task ${key} ended ${ids.size} times (eventIds ${[...ids].join(', ')})` });
  }
  if (input.settled) {
    for (const created of input.trace.ofKind('created')) {
      const key = taskKey(created.session, created.taskIdentifier);
      const ids = terminalIds.get(key);
      if (ids === undefined) violations.push({ invariant: 2, message: `task ${key} never ended although the run settled` });
      else if (![...ids].some((id) => ackedAt.has(id))) violations.push({ invariant: 2, message: `task ${key}'s terminal event was never acknowledged although the run settled` });
    }
  }
  return violations;
}

/**
 * #3 Durable before visible: no event is delivered, and no outcome resolves, before the commit
 * that made it durable.
 *
 * @example
 * ```ts
 * expect(checkDurableBeforeVisible({ trace: world.trace, liveTasks: new Map(), settled: false })).toEqual([]);
 * ```
 */
export function checkDurableBeforeVisible(input: TaskEventsInput): Violation[] {
  const violations: Violation[] = [];
  const committedEvents = new Set<string>();
  const committedEnds = new Set<string>();
  for (const entry of input.trace.entries) {
    if (entry.kind === 'commit') {
      for (const event of entry.events) committedEvents.add(event.eventId);
      for (const task of entry.tasks) if (isTerminalPhase(task.phase)) committedEnds.add(`${taskKey(entry.session, task.taskIdentifier)}:${task.phase}`);
    } else if (entry.kind === 'delivered' && !committedEvents.has(entry.eventId)) {
      violations.push({ invariant: 3, message: `event ${entry.eventId} (${entry.type}) delivered at t=${entry.at} before any commit of it` });
    } else if (entry.kind === 'outcome' && !committedEnds.has(`${taskKey(entry.session, entry.taskIdentifier)}:${entry.phase}`)) {
      violations.push({ invariant: 3, message: `task ${entry.taskIdentifier}'s outcome ${entry.phase} resolved at t=${entry.at} before its end was committed` });
    }
  }
  return violations;
}

/**
 * #4 Completed is final: once a task's end is committed, no commit gives it another phase, and no
 * progress event follows its terminal event.
 *
 * @example
 * ```ts
 * expect(checkCompletedIsFinal({ trace: world.trace, liveTasks: new Map(), settled: false })).toEqual([]);
 * ```
 */
export function checkCompletedIsFinal(input: TaskEventsInput): Violation[] {
  const violations: Violation[] = [];
  const ended = new Map<string, string>();
  const delivered = new Set<string>();
  for (const entry of input.trace.entries) {
    if (entry.kind === 'commit') {
      for (const task of entry.tasks) {
        const key = taskKey(entry.session, task.taskIdentifier);
        const end = ended.get(key);
        if (end !== undefined && end !== task.phase) violations.push({ invariant: 4, message: `task ${key} ended ${end}, then was committed ${task.phase} at t=${entry.at}` });
        if (end === undefined && isTerminalPhase(task.phase)) ended.set(key, task.phase);
      }
    } else if (entry.kind === 'delivered' && entry.type === 'taskDidComplete' && entry.taskIdentifier !== null) {
      delivered.add(taskKey(entry.session, entry.taskIdentifier));
    } else if (entry.kind === 'progress' && delivered.has(taskKey(entry.session, entry.taskIdentifier))) {
      violations.push({ invariant: 4, message: `progress of task ${entry.taskIdentifier} at t=${entry.at} after its terminal event` });
    }
  }
  return violations;
}

/**
 * #5 Task identifiers are never reused: no two creations in a session, over every relaunch,
 * resolve with the same identifier.
 *
 * @example
 * ```ts
 * expect(checkIdentifiersNotReused({ trace: world.trace, liveTasks: new Map(), settled: false })).toEqual([]);
 * ```
 */
export function checkIdentifiersNotReused(input: TaskEventsInput): Violation[] {
  const seen = new Map<string, number>();
  const violations: Violation[] = [];
  for (const created of input.trace.ofKind('created')) {
    const key = taskKey(created.session, created.taskIdentifier);
    const earlier = seen.get(key);
    if (earlier !== undefined) violations.push({ invariant: 5, message: `task identifier ${key} issued at t=${earlier} and again at t=${created.at}` });
    else seen.set(key, created.at);
  }
  return violations;
}

function acknowledgedTerminalTasks(entries: readonly TraceEntry[]): Set<string> {
  const terminal = new Map<string, string>();
  const acknowledged = new Set<string>();
  for (const entry of entries) {
    if (entry.kind !== 'commit') continue;
    for (const event of entry.events) {
      if (event.type === 'taskDidComplete' && event.taskIdentifier !== null) terminal.set(`${entry.session}@${event.sequence}`, taskKey(entry.session, event.taskIdentifier));
    }
    for (const sequence of entry.acknowledged) {
      const task = terminal.get(`${entry.session}@${sequence}`);
      if (task !== undefined) acknowledged.add(task);
    }
  }
  return acknowledged;
}
