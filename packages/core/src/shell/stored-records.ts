import type { TaskStepResult } from '../machines/task-step-result.js';
import type { TaskRecord } from '../model/task-types.js';

type Fields = Partial<TaskRecord>;

/** Whether two records hold the same values (a step copies what it does not change, by reference). */
function sameFields(a: TaskRecord, b: TaskRecord): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as Array<keyof TaskRecord>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * What the store holds of each task, where it differs from the record in memory: a relaunch
 * re-derives part of a record from the stored one without writing it (`relaunchTask`), and a later
 * lazy step that brings the record back to what is stored has nothing to write (B5). Only the
 * differing fields are kept, so 100,000 relaunched tasks do not hold two records each.
 *
 * @example
 * ```ts
 * const stored = new StoredRecords();
 * stored.differs(record, relaunched.record);
 * stored.holds(relaunched.record, step); // true when step.record equals `record` again
 * ```
 */
export class StoredRecords {
  private readonly fields = new Map<number, Fields>();

  /** `record`, in memory, was not written: the store still holds `stored`. */
  differs(stored: TaskRecord, record: TaskRecord): void {
    if (stored === record) return;
    const fields: Fields = {};
    for (const key of Object.keys(stored) as Array<keyof TaskRecord>) if (stored[key] !== record[key]) (fields as Record<string, unknown>)[key] = stored[key];
    this.fields.set(stored.taskIdentifier, fields);
  }

  /** Whether a lazy step from `current` leaves the record as the store holds it, with nothing else to write. */
  holds(current: TaskRecord, result: TaskStepResult): boolean {
    if (result.effects.some((effect) => effect.type === 'end' || effect.type === 'produceResumeData')) return false;
    const fields = this.fields.get(current.taskIdentifier);
    return sameFields(fields === undefined ? current : { ...current, ...fields }, result.record);
  }

  /** The task's record in memory is the stored one again (written, or deleted). */
  written(taskIdentifier: number): void {
    this.fields.delete(taskIdentifier);
  }
}
