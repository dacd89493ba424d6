import { transition } from 'xstate';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';
import type { TaskEnvironment } from './task-environment.js';
import { taskMachine } from './task-machine.js';
import type { TaskStepResult } from './task-step-result.js';

/**
 * Sends one event to a task at rest: rebuilds the machine state from the record (`resolveState`),
 * takes XState's pure `transition`, and returns the new record with the effects to run. Nothing is
 * executed. An event that does not apply in the task's phase returns the same record, no effects
 * and `accepted: false` (Apple's "resume on a running task is a no-op").
 *
 * @example
 * ```ts
 * const { record: next, effects } = stepTask(record, { type: 'resume', now: clock.now() }, { retry });
 * next.phase; // 'scheduled'
 * effects; // [{ type: 'enqueue' }]
 * ```
 */
export function stepTask(record: TaskRecord, event: TaskEvent, env: TaskEnvironment): TaskStepResult {
  const snapshot = taskMachine.resolveState({ value: record.phase, context: { task: record, env, update: null } });
  const [next] = transition(taskMachine, snapshot, event);
  const update = next.context.update;
  if (update === null) return { record, effects: [], durability: 'none', accepted: false };
  const phase = next.value as TaskPhase;
  const updated = update.task.phase === phase ? update.task : { ...update.task, phase };
  return { record: updated, effects: update.effects, durability: update.durability, accepted: true };
}
