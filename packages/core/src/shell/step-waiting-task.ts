import { stepTask } from '../machines/step-task.js';
import { noteConstraints } from '../machines/task-handlers.js';
import type { TaskEnvironment } from '../machines/task-environment.js';
import type { TaskStepResult } from '../machines/task-step-result.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';

/**
 * `stepTask`, with the step a waiting task takes most taken without the machine: told whether the
 * network meets its constraints (`constraintsChanged` in `scheduled`, unless delegated, or in
 * `backingOff`), which in those phases is one untargeted transition to `noteConstraints`. After a
 * relaunch offline every queued task takes it once (B5): through the machine, each step allocates
 * objects that V8 places in the old generation at once (it pretenures the machine's allocation
 * sites), and those of 100,000 steps, dead a moment later, left a quarter of the heap's pages
 * half empty. Every other step is `stepTask`'s; `step-waiting-task.test.ts` checks both agree.
 *
 * @example
 * ```ts
 * const result = stepWaitingTask(record, { type: 'constraintsChanged', satisfied: false, reason: 'connectivity', now }, { retry });
 * ```
 */
export function stepWaitingTask(record: TaskRecord, event: TaskEvent, env: TaskEnvironment): TaskStepResult {
  const waiting = (record.phase === 'scheduled' && record.reason !== 'delegated') || record.phase === 'backingOff';
  if (event.type !== 'constraintsChanged' || !waiting) return stepTask(record, event, env);
  const update = noteConstraints(record, event);
  return { record: update.task, effects: update.effects, durability: update.durability, accepted: true };
}
