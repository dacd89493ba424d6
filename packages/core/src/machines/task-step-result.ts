import type { StepDurability, TaskEffect } from '../model/task-effects.js';
import type { TaskRecord } from '../model/task-types.js';

/** What one event did to a task. */
export interface TaskStepResult {
  /** The record to persist (the same object when nothing changed). */
  readonly record: TaskRecord;
  /** Effects to run, in order, after the record is committed. */
  readonly effects: readonly TaskEffect[];
  /** How the record must be committed before the effects run. */
  readonly durability: StepDurability;
  /** False when the event does not apply in the task's phase (a no-op that says so). */
  readonly accepted: boolean;
}
