import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { ev, t0, taskIn, testEnv } from './task-fixtures.test-helpers.js';

/* The guards that keep a request that may have reached the server from being sent twice, and the credentials wait. */

const env = testEnv();
const step = (record: TaskRecord, event: TaskEvent) => stepTask(record, event, env);
const post = { kind: 'data' as const, method: 'POST' as const };

describe('suspend while an attempt is in flight', () => {
  it('#13 a POST whose start was recorded cannot be suspended in connecting or transferring: refused, nothing aborted, the record unchanged', () => {
    for (const record of [taskIn.connecting(post), taskIn.transferring(post)]) {
      expect(record.attempts.startRecorded).toBe(true);
      const result = step(record, ev.suspend(t0 + 1));
      expect(result.accepted).toBe(false);
      expect(result.effects).toEqual([]);
      expect(result.record).toEqual(record);
    }
  });

  it('a GET in connecting or transferring is suspended: its attempt is aborted and it leaves the queue', () => {
    for (const record of [taskIn.connecting(), taskIn.transferring(), taskIn.connecting({ kind: 'data', method: 'GET' })]) {
      const result = step(record, ev.suspend(t0 + 1));
      expect(result.accepted).toBe(true);
      expect(result.record.phase).toBe('suspended');
      expect(result.effects).toEqual([{ type: 'abortAttempt' }, { type: 'dequeue' }]);
    }
  });

  it('a POST the app declared idempotent may be suspended in flight', () => {
    const record = taskIn.transferring({ ...post, options: { idempotent: true } });
    const result = step(record, ev.suspend(t0 + 1));
    expect(result.accepted).toBe(true);
    expect(result.record.phase).toBe('suspended');
  });

  it('a POST that is not in flight (scheduled, backingOff) may still be suspended', () => {
    for (const record of [taskIn.scheduled(post), taskIn.backingOff({ ...post, options: { idempotent: true } })]) {
      const result = step(record, ev.suspend(t0 + 1));
      expect(result.accepted).toBe(true);
      expect(result.record.phase).toBe('suspended');
      expect(result.effects).toEqual([{ type: 'dequeue' }]);
    }
  });

  it('cancel() still ends a POST in flight whose suspend was refused', () => {
    const result = step(taskIn.transferring(post), ev.cancel(t0 + 1));
    expect(result.accepted).toBe(true);
    expect(result.record.phase).toBe('canceling');
    expect(result.effects).toEqual([{ type: 'abortAttempt' }]);
  });
});

describe('credentials while backing off', () => {
  it('backingOff + credentialsMissing -> scheduled with reason credentials, out of the queue', () => {
    const backingOff = taskIn.backingOff();
    expect(backingOff.phase).toBe('backingOff');
    const result = step(backingOff, ev.credentialsMissing(t0 + 5));
    expect(result.accepted).toBe(true);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'credentials' });
    expect(result.effects).toEqual([{ type: 'dequeue' }]);
  });

  it('credentials supplied afterwards put it back in the queue, waiting for a slot', () => {
    const waiting = step(taskIn.backingOff(), ev.credentialsMissing(t0 + 5)).record;
    const result = step(waiting, ev.credentialsSupplied(t0 + 6));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot' });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });
});
