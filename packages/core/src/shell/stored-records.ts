import type { TaskStepResult } from '../machines/task-step-result.js';
import type { TaskRecord } from '../model/task-types.js';

/**
 * Whether two records hold the same values (a step copies what it does not change, by reference).
 *
 * @example
 * ```ts
 * sameFields(record, { ...record }); // true
 * ```
 */
export function sameFields(a: TaskRecord, b: TaskRecord): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as Array<keyof TaskRecord>;
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * What the store holds of each task, where it differs from the record in memory: a relaunch
 * re-derives part of a record from the stored one without writing it (`relaunchTask`), an
 * idempotent attempt's start is not written (ADR 16), and a later lazy step that brings the
 * record back to what is stored has nothing to write (B5). The stored record itself is kept, and
 * such a step keeps it again in place of its own copy: after a relaunch offline, the waiting notice
 * brings 100,000 queued tasks back to their stored records, and the records decoded at the open are
 * the ones that stay, not a third copy of each made later (whose predecessors would die scattered
 * between the live parts of the heap).
 *
 * @example
 * ```ts
 * const stored = new StoredRecords();
 * stored.differs(record, relaunched.record);
 * stored.holding(relaunched.record, step); // `record` when step.record equals it again
 * ```
 */
export class StoredRecords {
  private readonly records = new Map<number, TaskRecord>();

  /**
   * `record`, in memory, was not written: the store still holds `stored`. Returns the record to
   * keep in memory: `stored` itself when both hold the same values (no copy per task), else `record`.
   */
  differs(stored: TaskRecord, record: TaskRecord): TaskRecord {
    if (sameFields(stored, record)) return stored;
    this.records.set(stored.taskIdentifier, stored);
    return record;
  }

  /**
   * The record as stored when a lazy step from `current` leaves the task's record equal to it
   * with nothing else to write (there is nothing to commit then), or undefined.
   */
  holding(current: TaskRecord, result: TaskStepResult): TaskRecord | undefined {
    if (result.effects.some((effect) => effect.type === 'end' || effect.type === 'produceResumeData')) return undefined;
    const stored = this.records.get(current.taskIdentifier) ?? current;
    return sameFields(stored, result.record) ? stored : undefined;
  }

  /** The step that came after `record` is not written: the store keeps what it held before it. */
  unwritten(record: TaskRecord): void {
    if (!this.records.has(record.taskIdentifier)) this.records.set(record.taskIdentifier, record);
  }

  /** The task's record in memory is the stored one again (written, or deleted). */
  written(taskIdentifier: number): void {
    this.records.delete(taskIdentifier);
  }
}
