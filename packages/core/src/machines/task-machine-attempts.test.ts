import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { backoffDelay } from '../policy/backoff-delay.js';
import { stepTask } from './step-task.js';
import type { TaskEnvironment } from './task-environment.js';
import { defaultRetry, drive, ev, t0, taskIn, testEnv, testError } from './task-fixtures.test-helpers.js';

/*
 * The attempt-accounting table of semantics section 4 as the task machine applies it: what each
 * outcome of an attempt costs and where the task goes next.
 */

const env = testEnv();
const step = (record: TaskRecord, event: TaskEvent, environment: TaskEnvironment = env) => stepTask(record, event, environment);
const restart: AttemptOutcome = { type: 'restart', reason: 'ServerIgnoredRange' };

/** Fails the attempt in flight, then grants the next slot (the scheduler's part), at `now`. */
function failThenRetry(record: TaskRecord, outcome: AttemptOutcome, now: number, environment: TaskEnvironment = env) {
  const failed = step(record, ev.attemptFailed(outcome, { now }), environment);
  const next = failed.record.phase === 'failed' ? failed.record : step(failed.record, ev.slotGranted(now), environment).record;
  return { failed, next };
}

describe('retryable failure: spends one, backs off', () => {
  it('backoff due time is persisted (strict) with dueAt = now + the delay derived from the draw', () => {
    for (const draw of [0.1, 0.5, 0.999]) {
      const result = step(taskIn.connecting(), ev.attemptFailed({ type: 'retryable' }, { draw, now: t0 + 100 }));
      expect(result).toMatchObject({ durability: 'strict', record: { phase: 'backingOff', reason: null, attempts: { spent: 1, backoffExponent: 1 } } });
      expect(result.record.dueAt).toBe(t0 + 100 + backoffDelay(0, draw, defaultRetry));
      expect(result.effects).toEqual([{ type: 'enqueue' }]);
    }
  });

  it('each retryable failure doubles the ceiling of the next delay (exponent n + 1)', () => {
    let record = taskIn.connecting();
    for (let n = 0; n < 4; n += 1) {
      const now = t0 + n * 1_000_000;
      const result = step(record, ev.attemptFailed({ type: 'retryable' }, { draw: 0.75, now }));
      expect(result.record.dueAt).toBe(now + backoffDelay(n, 0.75, defaultRetry));
      record = step(result.record, ev.slotGranted(result.record.dueAt ?? now)).record;
    }
    expect(record.attempts).toMatchObject({ started: 5, spent: 4 });
  });

  it('a draw of 0 retries at once: scheduled (reason slot), still one attempt spent', () => {
    const result = step(taskIn.connecting(), ev.attemptFailed({ type: 'retryable' }, { draw: 0 }));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', dueAt: null, attempts: { spent: 1 } });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('Retry-After is a floor on the delay, capped at retry.cap', () => {
    const honoured = step(taskIn.connecting(), ev.attemptFailed({ type: 'retryable' }, { draw: 0.5, retryAfter: 30_000 }));
    expect(honoured.record.dueAt).toBe(t0 + 30_000);
    const capped = step(taskIn.connecting(), ev.attemptFailed({ type: 'retryable' }, { draw: 0.5, retryAfter: 10 * defaultRetry.cap }));
    expect(capped.record.dueAt).toBe(t0 + defaultRetry.cap);
  });

  it('the backoff exponent resets after an attempt that made durable progress', () => {
    const first = failThenRetry(taskIn.connecting(), { type: 'retryable' }, t0).next;
    expect(first.attempts.backoffExponent).toBe(1);
    const progressed = drive(first, [ev.responseStarted({ mode: 'append', restart: null }), ev.bytesDurable(300)]).record;
    const result = step(progressed, ev.attemptFailed({ type: 'retryable' }, { draw: 0.5, now: t0 + 50 }));
    expect(result.record.dueAt).toBe(t0 + 50 + backoffDelay(0, 0.5, defaultRetry));
    expect(result.record.attempts).toMatchObject({ spent: 2, backoffExponent: 1 });
  });

  it('attempts never exceed maxAttempts: the attempt that spends the last ends the task failed with its error', () => {
    const limited = testEnv({ maxAttempts: 3 });
    let record = taskIn.connecting({}, limited);
    record = failThenRetry(record, { type: 'retryable' }, t0, limited).next;
    record = failThenRetry(record, { type: 'retryable' }, t0 + 1, limited).next;
    expect(record.attempts.spent).toBe(2);
    const last = step(record, ev.attemptFailed({ type: 'retryable' }, { error: testError('IdleTimeout'), now: t0 + 2 }), limited);
    expect(last.record).toMatchObject({ phase: 'failed', error: { code: 'IdleTimeout' }, attempts: { spent: 3 } });
    expect(last.effects.filter((effect) => effect.type === 'end')).toHaveLength(1);
  });
});

describe('final error: the task fails', () => {
  it('a final outcome ends the task failed at once, attempts left or not', () => {
    const result = step(taskIn.transferring(), ev.attemptFailed({ type: 'final' }, { error: testError('HttpStatus', { status: 404 }), now: t0 + 9 }));
    expect(result.record).toMatchObject({ phase: 'failed', endedAt: t0 + 9, error: { code: 'HttpStatus', status: 404 }, attempts: { spent: 0 } });
    expect(result.durability).toBe('strict');
  });

  it('a download failing after valid bytes carries resume data in its error and keeps the bytes for it', () => {
    const transferring = drive(taskIn.transferring(), [ev.bytesDurable(500)]).record;
    const result = step(transferring, ev.attemptFailed({ type: 'final' }, { resumeData: 'rd-fail' }));
    expect(result.record.error).toMatchObject({ code: 'TlsCertificate', resumeData: 'rd-fail' });
    expect(result.effects).toContainEqual({ type: 'produceResumeData' });
    expect(result.effects).not.toContainEqual({ type: 'deleteBytes', key: 'part-1' });
  });

  it('a download failing with nothing to resume deletes its partial bytes', () => {
    const result = step(taskIn.transferring(), ev.attemptFailed({ type: 'final' }));
    expect(result.record.error?.resumeData).toBeNull();
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'part-1' });
  });

  it('a data task never carries resume data, even if the event has some', () => {
    const result = step(taskIn.transferring({ kind: 'data', method: 'GET' }), ev.attemptFailed({ type: 'final' }, { resumeData: 'rd-x' }));
    expect(result.record.error?.resumeData).toBeNull();
  });
});

describe('restart from 0: free for the first 3 in a row', () => {
  it('the first 3 restarts in a row are free and the 4th is spent', () => {
    let record = drive(taskIn.transferring(), [ev.bytesDurable(200)]).record;
    for (let i = 1; i <= 3; i += 1) {
      const result = step(record, ev.attemptFailed(restart, { now: t0 + i }));
      expect(result.record).toMatchObject({
        phase: 'scheduled',
        reason: 'slot',
        checkpoint: null,
        lastRestart: 'ServerIgnoredRange',
        attempts: { spent: 0, restartsInARow: i },
      });
      // The kept bytes go before any later attempt could append to them.
      expect(result.effects).toEqual([{ type: 'deleteBytes', key: 'part-1' }, { type: 'enqueue' }]);
      expect(result.record.progress.countOfBytesReceived).toBe(0);
      record = step(result.record, ev.slotGranted(t0 + i)).record;
    }
    const fourth = step(record, ev.attemptFailed(restart, { draw: 0.5, now: t0 + 10 }));
    expect(fourth.record).toMatchObject({ phase: 'backingOff', dueAt: t0 + 10 + 500, attempts: { spent: 1, restartsInARow: 0 } });
    expect(fourth.durability).toBe('strict');
  });

  it('durable progress starts the row of restarts over', () => {
    let record = taskIn.connecting();
    for (let i = 0; i < 3; i += 1) record = failThenRetry(record, restart, t0 + i).next;
    expect(record.attempts.restartsInARow).toBe(3);
    record = drive(record, [ev.responseStarted(), ev.bytesDurable(100)]).record;
    const result = step(record, ev.attemptFailed(restart));
    expect(result.record).toMatchObject({ phase: 'scheduled', attempts: { spent: 0, restartsInARow: 1 } });
  });

  it('an integrity restart is remembered as the one free integrity restart', () => {
    const result = step(taskIn.transferring(), ev.attemptFailed({ type: 'restart', reason: 'IntegrityRestart' }));
    expect(result.record).toMatchObject({ integrityRestartUsed: true, lastRestart: 'IntegrityRestart' });
  });
});

describe('stale reused connection: free once, at once', () => {
  it('the first stale-connection reset retries at once without spending; the next one spends', () => {
    const first = failThenRetry(taskIn.connecting(), { type: 'staleConnection' }, t0);
    expect(first.failed.record).toMatchObject({ phase: 'scheduled', reason: 'slot', dueAt: null, attempts: { spent: 0, staleRetryUsed: true } });
    const second = step(first.next, ev.attemptFailed({ type: 'staleConnection' }, { draw: 0.5 }));
    expect(second.record).toMatchObject({ phase: 'backingOff', attempts: { spent: 1 } });
  });
});

describe('offline and disk full: wait, spend nothing', () => {
  it('offline waits without spending and emits taskIsWaitingForConnectivity once per wait', () => {
    const waiting = { type: 'emit', event: { type: 'taskIsWaitingForConnectivity', taskIdentifier: 1 } };
    const offline: AttemptOutcome = { type: 'offline', reason: 'connectivity' };
    const first = step(taskIn.connecting(), ev.attemptFailed(offline));
    expect(first.record).toMatchObject({ phase: 'scheduled', reason: 'connectivity', dueAt: null, attempts: { spent: 0, backoffExponent: 0 } });
    expect(first.effects).toEqual([{ type: 'enqueue' }, waiting]);
    // Still the same wait: no second notice.
    expect(step(first.record, ev.constraintsChanged(false, 'connectivity')).effects).toEqual([]);
    // A new attempt, offline again: a new wait, a new notice.
    const back = drive(first.record, [ev.constraintsChanged(true), ev.slotGranted()]).record;
    const second = step(back, ev.attemptFailed(offline));
    expect(second.effects).toContainEqual(waiting);
    expect(second.record.attempts).toMatchObject({ started: 2, spent: 0 });
  });

  it('constraints no longer met waits (reason constraints) without spending or telling the app', () => {
    const result = step(taskIn.connecting(), ev.attemptFailed({ type: 'offline', reason: 'constraints' }));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'constraints', attempts: { spent: 0 } });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('disk full waits with reason storage and dueAt = now + 30 s, spends nothing, keeps the bytes', () => {
    const transferring = drive(taskIn.transferring(), [ev.bytesDurable(700)]).record;
    const result = step(transferring, ev.attemptFailed({ type: 'diskFull' }, { now: t0 + 1234 }));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'storage', dueAt: t0 + 1234 + 30_000, checkpoint: { offset: 700 }, attempts: { spent: 0 } });
    expect(result.effects.some((effect) => effect.type === 'deleteBytes')).toBe(false);
  });

  it('the resource timeout still applies while waiting for storage', () => {
    const storage = step(taskIn.connecting(), ev.attemptFailed({ type: 'diskFull' })).record;
    expect(step(storage, ev.resourceTimer()).record).toMatchObject({ phase: 'timedOut', error: { code: 'ResourceTimeout' } });
  });
});

describe('a network change while backing off', () => {
  it('keeps reason null (reasons belong to scheduled) and tells the app once that it waits for connectivity', () => {
    const backingOff = taskIn.backingOff();
    const offline = stepTask(backingOff, ev.constraintsChanged(false, 'connectivity', t0 + 1), testEnv());
    expect(offline.record).toMatchObject({ phase: 'backingOff', reason: null, waitingNotified: true });
    expect(offline.effects).toEqual([{ type: 'emit', event: { type: 'taskIsWaitingForConnectivity', taskIdentifier: backingOff.taskIdentifier } }]);
    const again = stepTask(offline.record, ev.constraintsChanged(false, 'connectivity', t0 + 2), testEnv());
    expect(again.effects).toEqual([]);
    const online = stepTask(again.record, ev.constraintsChanged(true, 'connectivity', t0 + 3), testEnv());
    expect(online.record).toMatchObject({ phase: 'backingOff', reason: null, waitingNotified: false });
  });
});
