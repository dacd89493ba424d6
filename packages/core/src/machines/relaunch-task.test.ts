import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../model/task-types.js';
import { relaunchTask } from './relaunch-task.js';
import { stepTask } from './step-task.js';
import { defaultRetry, drive, ev, t0, taskIn, testEnv } from './task-fixtures.test-helpers.js';

const env = testEnv();
const now = t0 + 60_000;

const waiting: ReadonlyArray<readonly [string, () => TaskRecord]> = [
  ['scheduled for a slot', () => taskIn.scheduled()],
  ['scheduled, told it waits for connectivity', () => drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record],
  ['scheduled, delegated', () => drive(taskIn.scheduled(), [ev.delegated()]).record],
  ['backingOff', () => taskIn.backingOff()],
];

describe('relaunchTask', () => {
  it.each(waiting)('%s: the same record and effects as the machine, and nothing to write', (_, make) => {
    const record = make();
    const fast = relaunchTask(record, now, env);
    const machine = stepTask(record, ev.relaunched(now), env);
    expect(fast.record).toEqual(machine.record);
    expect(fast.effects).toEqual(machine.effects);
    expect(fast.accepted).toBe(true);
    // #12: nothing is lost by not writing it: the stored record yields the same step again.
    expect(fast.durability).toBe('none');
    expect(relaunchTask(record, now + 1000, env).record).toEqual(fast.record);
  });

  it('#12 due times survive: a due time clamped because the clock went back is written', () => {
    const backingOff = drive(taskIn.connecting(), [ev.attemptFailed({ type: 'retryable' }, { draw: 0.9, now: t0 })]).record;
    const clockWentBack = t0 - 10 * defaultRetry.cap;
    const result = relaunchTask(backingOff, clockWentBack, env);
    expect(result.record.dueAt).toBe(clockWentBack + defaultRetry.cap);
    expect(result.durability).toBe('lazy');
  });

  it('#13 an interrupted non-idempotent request still ends, durably, with RequestInterrupted', () => {
    const post = taskIn.connecting({ kind: 'data', method: 'POST' });
    const result = relaunchTask(post, now, env);
    expect(result).toEqual(stepTask(post, ev.relaunched(now), env));
    expect(result.record.phase).toBe('failed');
    expect(result.durability).toBe('strict');
  });
});
