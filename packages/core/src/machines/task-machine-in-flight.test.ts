import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { drive, endEvents, ev, t0, taskIn, testCheckpoint, testEnv, testError, testHandOver, testRequest, testResponse } from './task-fixtures.test-helpers.js';

/* The task machine while an attempt is in flight (connecting, transferring) and while handing over. */

const env = testEnv();
const step = (record: TaskRecord, event: TaskEvent) => stepTask(record, event, env);

describe('an attempt in flight', () => {
  it('connecting -> transferring on responseStarted, expected length recorded', () => {
    const result = step(taskIn.connecting(), ev.responseStarted({ expectedLength: 1234 }));
    expect(result.record).toMatchObject({ phase: 'transferring', fetchedFromZero: true });
    expect(result.record.progress.countOfBytesExpectedToReceive).toBe(1234);
  });

  it('a response head that carries a checkpoint records it in the same step, strict: a fresh start under a new validator is durable before its first byte', () => {
    const kept = taskIn.connecting();
    const lazy = step(kept, ev.responseStarted({ mode: 'fresh', restart: 'ValidatorChanged' }));
    expect(lazy).toMatchObject({ durability: 'lazy', record: { checkpoint: null } });
    const withCheckpoint = step(kept, ev.responseStarted({ mode: 'fresh', restart: 'ValidatorChanged', checkpoint: testCheckpoint(0) }));
    expect(withCheckpoint).toMatchObject({ durability: 'strict', record: { phase: 'transferring', checkpoint: testCheckpoint(0), fetchedFromZero: true } });
    expect(withCheckpoint.record.progress.countOfBytesReceived).toBe(0);
  });

  it('a redirect changes currentRequest, keeps originalRequest, counts the hop', () => {
    const connecting = taskIn.connecting();
    const target = testRequest('GET', 'https://mirror.test/file');
    const result = step(connecting, ev.redirected(target));
    expect(result.record).toMatchObject({ phase: 'connecting', currentRequest: target, originalRequest: connecting.originalRequest, redirectCount: 1 });
  });

  it('transferring records a durable checkpoint strict, with the bytes received', () => {
    const result = step(taskIn.transferring(), ev.bytesDurable(500));
    expect(result).toMatchObject({ durability: 'strict', record: { phase: 'transferring', checkpoint: { offset: 500 }, attempts: { madeProgress: true } } });
    expect(result.record.progress.countOfBytesReceived).toBe(500);
  });

  it('connecting/transferring -> suspended on suspend: the attempt is aborted, the bytes kept', () => {
    const result = step(drive(taskIn.transferring(), [ev.bytesDurable(500)]).record, ev.suspend());
    expect(result.record).toMatchObject({ phase: 'suspended', checkpoint: { offset: 500 } });
    expect(result.effects).toEqual([{ type: 'abortAttempt' }, { type: 'dequeue' }]);
  });

  it('connecting -> scheduled (reason connectivity) when the network goes: attempt aborted, nothing spent, app told once', () => {
    const result = step(taskIn.connecting(), ev.constraintsChanged(false, 'connectivity'));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'connectivity', attempts: { spent: 0 } });
    expect(result.effects).toEqual([
      { type: 'abortAttempt' },
      { type: 'enqueue' },
      { type: 'emit', event: { type: 'taskIsWaitingForConnectivity', taskIdentifier: 1 } },
    ]);
  });

  it('connecting/transferring, non-idempotent request whose start was recorded: losing the network does not send it again (#13)', () => {
    // The attempt is left to end on its own and be classified (a POST that may have left is final).
    const post = { method: 'POST' as const, options: { idempotent: false } };
    for (const record of [taskIn.connecting(post), taskIn.transferring(post)]) {
      for (const reason of ['connectivity', 'constraints'] as const) {
        const result = step(record, ev.constraintsChanged(false, reason, t0 + 1));
        expect(result.accepted).toBe(false);
        expect(result.effects).toEqual([]);
      }
    }
  });

  it('the resource timer ends an attempt in flight timedOut with ResourceTimeout and aborts the attempt', () => {
    for (const record of [taskIn.connecting(), taskIn.transferring()]) {
      const result = step(record, ev.resourceTimer(t0 + 99));
      expect(result.record).toMatchObject({ phase: 'timedOut', endedAt: t0 + 99, error: { code: 'ResourceTimeout' } });
      expect(result.durability).toBe('strict');
      expect(result.effects[0]).toEqual({ type: 'abortAttempt' });
      expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'part-1' });
      const [complete] = endEvents(result);
      expect(complete).toMatchObject({ type: 'taskDidComplete', error: { code: 'ResourceTimeout' } });
    }
  });

  it('transferring (download) -> handingOver on bodyEnded: size and hash recorded strict before the rename', () => {
    const result = step(taskIn.transferring(), ev.bodyEnded());
    expect(result).toMatchObject({ durability: 'strict', record: { phase: 'handingOver', handOver: testHandOver } });
    expect(result.effects).toEqual([{ type: 'handOver' }]);
  });

  it('a data task\'s end carries the response in taskDidComplete, strict, its owned body deleted', () => {
    const result = step(taskIn.transferring({ kind: 'data' }), ev.bodyEnded({ handOver: null, now: t0 + 3 }));
    expect(result.record).toMatchObject({ phase: 'succeeded', response: testResponse, error: null, endedAt: t0 + 3 });
    expect(result.durability).toBe('strict');
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'body-1' });
    expect(endEvents(result)).toEqual([{ type: 'taskDidComplete', taskIdentifier: 1, error: null, response: testResponse }]);
  });

  it('an upload succeeds on bodyEnded with bytes sent counted', () => {
    const result = step(taskIn.transferring({ kind: 'upload', method: 'GET' }), ev.bodyEnded({ handOver: null, countOfBytesSent: 10 }));
    expect(result.record.phase).toBe('succeeded');
    expect(result.record.progress.countOfBytesSent).toBe(10);
    expect(endEvents(result)).toHaveLength(1);
  });
});

describe('handingOver', () => {
  it('a download\'s end emits downloadDidFinish then taskDidComplete in one end effect, durability strict', () => {
    const result = step(taskIn.handingOver(), ev.handedOver('/downloads/file.bin', false, t0 + 4));
    expect(result).toMatchObject({ durability: 'strict', record: { phase: 'succeeded', endedAt: t0 + 4 } });
    expect(endEvents(result)).toEqual([
      { type: 'downloadDidFinish', taskIdentifier: 1, location: '/downloads/file.bin', inStore: false },
      { type: 'taskDidComplete', taskIdentifier: 1, error: null, response: null },
    ]);
  });

  it('handingOver -> failed on handOverFailed (DestinationExists), one end', () => {
    const result = step(taskIn.handingOver(), ev.handOverFailed(testError('DestinationExists')));
    expect(result.record).toMatchObject({ phase: 'failed', error: { code: 'DestinationExists' } });
    expect(endEvents(result)).toEqual([{ type: 'taskDidComplete', taskIdentifier: 1, error: result.record.error, response: null }]);
  });

  it('a failed hand-over whose error carries resume data keeps the whole file for it: produceResumeData, no deleteBytes, the checkpoint at the recorded size', () => {
    const handingOver = drive(taskIn.transferring(), [ev.bytesDurable(400), ev.bodyEnded()]).record;
    const result = step(handingOver, ev.handOverFailed(testError('DestinationExists', { resumeData: 'rd-hand-over' })));
    expect(result.record).toMatchObject({ phase: 'failed', error: { code: 'DestinationExists', resumeData: 'rd-hand-over' } });
    expect(result.effects).toContainEqual({ type: 'produceResumeData' });
    expect(result.effects).not.toContainEqual({ type: 'deleteBytes', key: 'part-1' });
    // Every byte was synced before the hand-over was recorded: the resume data owns all of them.
    expect(result.record.checkpoint).toEqual({ ...testCheckpoint(400), offset: testHandOver.size });
    expect(result.record.progress.countOfBytesReceived).toBe(testHandOver.size);
  });

  it('a failed hand-over without resume data (no strong validator) deletes the bytes', () => {
    const result = step(taskIn.handingOver(), ev.handOverFailed(testError('PermissionDenied')));
    expect(result.record).toMatchObject({ phase: 'failed', error: { code: 'PermissionDenied', resumeData: null } });
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'part-1' });
    expect(result.effects).not.toContainEqual({ type: 'produceResumeData' });
  });
});

