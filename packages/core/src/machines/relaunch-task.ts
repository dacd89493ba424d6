import type { TaskRecord } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { relaunchWaiting } from './task-handlers.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskStepResult } from './task-step-result.js';

/**
 * Sends `relaunched` to a task found in the store (the relaunch table of semantics section 2) and
 * says whether its record must be written. A waiting task (`scheduled`, `backingOff`) whose due
 * time stays as stored comes back with `durability: 'none'` though its record changed: what
 * changed (the wait's reason, the connectivity notice re-armed) is what every relaunch derives
 * again from the stored record, so writing it would add nothing a later relaunch could miss. Every
 * other result is `stepTask`'s own: a clamped due time, an interrupted request, a finished cancel.
 *
 * @example
 * ```ts
 * const result = relaunchTask(stored, clock.now(), { retry });
 * if (result.durability !== 'none') await commit(result.record);
 * ```
 */
export function relaunchTask(record: TaskRecord, now: number, env: TaskEnvironment): TaskStepResult {
  if (record.phase !== 'scheduled' && record.phase !== 'backingOff') return stepTask(record, { type: 'relaunched', now }, env);
  // The machine's `relaunched` in these two phases is one untargeted, unguarded transition to
  // `relaunchWaiting`: called directly, it spares the machine's work for each of 100,000 queued
  // tasks (B5). `relaunch-task.test.ts` checks both paths agree.
  const update = relaunchWaiting(record, { type: 'relaunched', now }, env);
  const durability = update.task.dueAt === record.dueAt ? 'none' : update.durability;
  return { record: update.task, effects: update.effects, durability, accepted: true };
}
