import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { createdTask, defaultRetry, drive, ev, t0, taskIn, testEnv } from './task-fixtures.test-helpers.js';

/*
 * The relaunch table of semantics section 2: the host died, the store survived, and each task is
 * found as its last commit left it and sent `relaunched`.
 */

const env = testEnv();
const relaunch = (record: TaskRecord, now = t0 + 60_000) => stepTask(record, ev.relaunched(now), env);

describe('relaunch table (semantics section 2)', () => {
  it('scheduled -> scheduled: re-queued, its due time kept (never earlier)', () => {
    const begin = t0 + 3_600_000;
    const waiting = drive(createdTask({ options: { earliestBeginDate: begin } }), [ev.resume()]).record;
    const result = relaunch(waiting);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'earliestBegin', dueAt: begin });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('scheduled (reason earliestBegin) is never clamped, however far beyond now + retry.cap', () => {
    const begin = t0 + 100 * defaultRetry.cap;
    const waiting = drive(createdTask({ options: { earliestBeginDate: begin } }), [ev.resume()]).record;
    expect(relaunch(waiting, t0).record.dueAt).toBe(begin);
  });

  it('scheduled (reason storage) keeps its re-check due time', () => {
    const storage = drive(taskIn.connecting(), [ev.attemptFailed({ type: 'diskFull' })]).record;
    const result = relaunch(storage, t0 + 1);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'storage', dueAt: t0 + 30_000 });
  });

  it('scheduled (reason connectivity) waits for a slot again, the notice re-armed', () => {
    const offline = drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record;
    const result = relaunch(offline);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', waitingNotified: false });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('backingOff -> backingOff: its due time kept, never earlier than stored', () => {
    const backingOff = drive(taskIn.connecting(), [ev.attemptFailed({ type: 'retryable' }, { draw: 0.9, now: t0 })]).record;
    const dueAt = backingOff.dueAt;
    expect(dueAt).toBe(t0 + 900);
    const result = relaunch(backingOff, t0 + 100);
    expect(result.record).toMatchObject({ phase: 'backingOff', dueAt, attempts: backingOff.attempts });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('backingOff due further than now + retry.cap (the clock went back) is clamped to now + cap', () => {
    const backingOff = drive(taskIn.connecting(), [ev.attemptFailed({ type: 'retryable' }, { draw: 0.9, now: t0 })]).record;
    const clockWentBack = t0 - 10 * defaultRetry.cap;
    const result = relaunch(backingOff, clockWentBack);
    expect(result.record).toMatchObject({ phase: 'backingOff', dueAt: clockWentBack + defaultRetry.cap });
  });

  it('a backoff due time carried into scheduled by suspend and resume is clamped too when the clock went back', () => {
    const carried = drive(taskIn.backingOff(), [ev.suspend(), ev.resume(t0 + 1)]).record;
    expect(carried).toMatchObject({ phase: 'scheduled', reason: 'slot' });
    const clockWentBack = t0 - 10 * defaultRetry.cap;
    expect(relaunch(carried, clockWentBack).record.dueAt).toBe(clockWentBack + defaultRetry.cap);
  });

  it('scheduled with reason delegated stays delegated: no enqueue, no second download', () => {
    const delegated = drive(taskIn.scheduled(), [ev.delegated()]).record;
    const result = relaunch(delegated);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'delegated' });
    expect(result.effects).toEqual([]);
  });

  it('handingOver -> handingOver: the handOver effect again (the shell checks size and hash)', () => {
    const handingOver = taskIn.handingOver();
    const result = relaunch(handingOver);
    expect(result.record).toMatchObject({ phase: 'handingOver', handOver: handingOver.handOver });
    expect(result.effects).toEqual([{ type: 'handOver' }]);
  });

  it('connecting, idempotent request -> scheduled, no attempt spent, no backoff', () => {
    const connecting = taskIn.connecting();
    const result = relaunch(connecting);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', dueAt: null });
    expect(result.record.attempts).toEqual(connecting.attempts);
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('transferring, idempotent request -> scheduled, no attempt spent, no backoff, the download continues from its checkpoint', () => {
    const transferring = drive(taskIn.transferring(), [ev.bytesDurable(600)]).record;
    const result = relaunch(transferring);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', dueAt: null, checkpoint: { offset: 600 } });
    expect(result.record.attempts.spent).toBe(transferring.attempts.spent);
    expect(result.record.attempts.backoffExponent).toBe(transferring.attempts.backoffExponent);
    expect(result.effects.some((effect) => effect.type === 'deleteBytes')).toBe(false);
  });

  it('connecting/transferring, non-idempotent request whose start was recorded -> failed with RequestInterrupted { bodyMayHaveBeenSent: true }', () => {
    for (const record of [taskIn.connecting({ kind: 'data', method: 'POST' }), taskIn.transferring({ kind: 'upload', method: 'POST' })]) {
      expect(record.attempts.startRecorded).toBe(true);
      const result = relaunch(record, t0 + 5);
      expect(result.record).toMatchObject({
        phase: 'failed',
        endedAt: t0 + 5,
        error: { code: 'RequestInterrupted', bodyMayHaveBeenSent: true },
      });
      expect(result.durability).toBe('strict');
      const ends = result.effects.filter((effect) => effect.type === 'end');
      expect(ends).toHaveLength(1);
    }
  });

  it('connecting/transferring, non-idempotent request marked idempotent: true -> as idempotent (scheduled)', () => {
    const record = taskIn.transferring({ kind: 'data', method: 'POST', options: { idempotent: true } });
    const result = relaunch(record);
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', attempts: { spent: 0 } });
  });

  it('connecting, non-idempotent request whose start was not recorded -> scheduled (it never left)', () => {
    const connecting = taskIn.connecting({ kind: 'data', method: 'POST' });
    const unrecorded: TaskRecord = { ...connecting, attempts: { ...connecting.attempts, startRecorded: false } };
    expect(relaunch(unrecorded).record.phase).toBe('scheduled');
  });

  it('canceling -> cancelled (the resume data asked for is kept)', () => {
    const canceling = drive(taskIn.transferring(), [ev.cancelProducingResumeData('rd-relaunch')]).record;
    const result = relaunch(canceling, t0 + 7);
    expect(result.record).toMatchObject({ phase: 'cancelled', endedAt: t0 + 7, error: { code: 'Cancelled', resumeData: 'rd-relaunch' } });
    expect(result.effects).toContainEqual({ type: 'produceResumeData' });
    expect(result.effects.filter((effect) => effect.type === 'end')).toHaveLength(1);
  });

  it('terminal -> unchanged (accepted: false); its undelivered events are the outbox\'s to deliver again', () => {
    const terminals = [
      drive(taskIn.handingOver(), [ev.handedOver()]).record,
      drive(taskIn.connecting(), [ev.attemptFailed({ type: 'final' })]).record,
      drive(taskIn.scheduled(), [ev.cancel()]).record,
      drive(createdTask(), [ev.resourceTimer()]).record,
    ];
    expect(terminals.map((record) => record.phase)).toEqual(['succeeded', 'failed', 'cancelled', 'timedOut']);
    for (const record of terminals) {
      expect(relaunch(record)).toEqual({ record, effects: [], durability: 'none', accepted: false });
    }
  });

  it('created and suspended tasks are not in the table: relaunch leaves them as they are', () => {
    for (const record of [createdTask(), taskIn.suspended()]) {
      const result = relaunch(record);
      expect(result.accepted).toBe(false);
      expect(result.record).toBe(record);
    }
  });
});
