import type { StepDurability, TaskEffect } from '../model/task-effects.js';
import type { TaskRecord } from '../model/task-types.js';

/**
 * What a transition's action computes: the new record (its `phase` is set from the machine's
 * target state afterwards), the effects, and how to commit.
 */
export interface TaskUpdate {
  readonly task: TaskRecord;
  readonly effects: readonly TaskEffect[];
  readonly durability: StepDurability;
}
