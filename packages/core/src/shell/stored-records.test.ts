import { describe, expect, it } from 'vitest';
import { relaunchTask } from '../machines/relaunch-task.js';
import { stepTask } from '../machines/step-task.js';
import { drive, ev, t0, taskIn, testEnv } from '../machines/task-fixtures.test-helpers.js';
import { StoredRecords, sameFields } from './stored-records.js';

const env = testEnv();

describe('StoredRecords', () => {
  it('a relaunched waiting task told again that it waits is back to its stored record: that record is kept, nothing is to be written', () => {
    const stored = drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record;
    const relaunched = relaunchTask(stored, t0 + 1000, env);
    expect(relaunched.durability).toBe('none');
    const records = new StoredRecords();
    records.differs(stored, relaunched.record);
    const notice = stepTask(relaunched.record, ev.constraintsChanged(false), env);
    expect(notice.effects.map((effect) => effect.type)).toEqual(['emit']);
    expect(records.holding(relaunched.record, notice)).toBe(stored);
    records.written(stored.taskIdentifier);
    // Once written, the record in memory is what is stored.
    expect(records.holding(relaunched.record, notice)).toBeUndefined();
  });

  it('a step that leaves the record as it is has nothing to write, and keeps the record it has', () => {
    const record = drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record;
    const again = stepTask(record, ev.constraintsChanged(false), env);
    expect(sameFields(again.record, record)).toBe(true);
    expect(new StoredRecords().holding(record, again)).toBe(record);
  });

  it('a step that differs from the stored record, or ends the task, is to be written', () => {
    const stored = drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record;
    const relaunched = relaunchTask(stored, t0 + 1000, env);
    const records = new StoredRecords();
    records.differs(stored, relaunched.record);
    expect(records.holding(relaunched.record, stepTask(relaunched.record, ev.constraintsChanged(false, 'constraints'), env))).toBeUndefined();
    expect(records.holding(relaunched.record, stepTask(relaunched.record, ev.cancel(t0 + 2000), env))).toBeUndefined();
  });

  it("an idempotent attempt's unwritten start leaves the store holding the scheduled record, and a second unwritten step keeps that first stored record", () => {
    const stored = taskIn.scheduled();
    const start = stepTask(stored, ev.slotGranted(), env);
    expect(start.durability).toBe('deferred');
    expect(start.record.attempts.started).toBe(stored.attempts.started + 1);
    const records = new StoredRecords();
    records.unwritten(stored);
    // Another step left unwritten does not move what the store holds: still the scheduled record.
    records.unwritten(start.record);
    const back = { ...stored };
    expect(records.holding(start.record, { ...start, record: back, effects: [] })).toBe(stored);
    records.written(stored.taskIdentifier);
    expect(records.holding(start.record, { ...start, record: back, effects: [] })).toBeUndefined();
  });
});
