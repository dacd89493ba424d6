import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../model/configuration.js';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { AttemptAccount } from '../model/task-types.js';
import { accountAttempt, type AttemptDecision } from './attempt-accounting.js';

const retry: RetryPolicy = { base: 1000, cap: 600_000, maxAttempts: null };
const fresh: AttemptAccount = {
  started: 1,
  spent: 0,
  backoffExponent: 0,
  restartsInARow: 0,
  staleRetryUsed: false,
  startRecorded: false,
  madeProgress: false,
};
/** A task that has already failed three times without progress. */
const backedOff: AttemptAccount = { ...fresh, started: 4, spent: 3, backoffExponent: 3 };

const rows: ReadonlyArray<{
  name: string;
  account?: AttemptAccount;
  outcome: AttemptOutcome;
  policy?: RetryPolicy;
  draw?: number;
  retryAfter?: number | null;
  expectedAccount: Partial<AttemptAccount>;
  decision: AttemptDecision;
}> = [
  // retryable failure | yes | yes | the backoff exponent resets after an attempt that made durable progress
  { name: 'retryable failure: spends one and backs off by the draw, exponent + 1', outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 1, backoffExponent: 1 }, decision: { type: 'retry', delay: 500 } },
  { name: 'retryable failure after three: backs off from 2^3 * base', account: backedOff, outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 4, backoffExponent: 4 }, decision: { type: 'retry', delay: 4000 } },
  { name: 'retryable failure after durable progress: the exponent resets to 0 first', account: { ...backedOff, madeProgress: true }, outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 4, backoffExponent: 1, madeProgress: false }, decision: { type: 'retry', delay: 500 } },
  { name: 'retryable failure with a large exponent: the delay is capped', account: { ...backedOff, backoffExponent: 40 }, outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 4, backoffExponent: 41 }, decision: { type: 'retry', delay: 300_000 } },
  { name: 'retryable failure: the exponent stops growing once it can only mean the cap', account: { ...backedOff, backoffExponent: 64 }, outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 4, backoffExponent: 64 }, decision: { type: 'retry', delay: 300_000 } },
  { name: 'B10 retryable with Retry-After 120 s: waits at least 120 s', outcome: { type: 'retryable' }, draw: 0.5, retryAfter: 120_000, expectedAccount: { spent: 1, backoffExponent: 1 }, decision: { type: 'retry', delay: 120_000 } },
  { name: 'B10 retryable with Retry-After 10^9 s: capped at retry.cap', outcome: { type: 'retryable' }, draw: 0.5, retryAfter: 1e12, expectedAccount: { spent: 1, backoffExponent: 1 }, decision: { type: 'retry', delay: 600_000 } },
  { name: 'retryable with Retry-After 0 after many failures: still backs off by the draw', account: backedOff, outcome: { type: 'retryable' }, draw: 0.5, retryAfter: 0, expectedAccount: { spent: 4, backoffExponent: 4 }, decision: { type: 'retry', delay: 4000 } },
  { name: 'retryable failure breaks a row of restarts', account: { ...fresh, restartsInARow: 2 }, outcome: { type: 'retryable' }, draw: 0, expectedAccount: { spent: 1, backoffExponent: 1, restartsInARow: 0 }, decision: { type: 'retry', delay: 0 } },
  { name: '#10 retryable failure that spends the last of maxAttempts: fail', account: { ...fresh, spent: 2 }, policy: { ...retry, maxAttempts: 3 }, outcome: { type: 'retryable' }, expectedAccount: { spent: 3 }, decision: { type: 'fail' } },
  { name: 'retryable failure below maxAttempts: retry', account: { ...fresh, spent: 1 }, policy: { ...retry, maxAttempts: 3 }, outcome: { type: 'retryable' }, draw: 0.5, expectedAccount: { spent: 2, backoffExponent: 1 }, decision: { type: 'retry', delay: 500 } },
  { name: 'maxAttempts 1: the first retryable failure fails the task', policy: { ...retry, maxAttempts: 1 }, outcome: { type: 'retryable' }, expectedAccount: { spent: 1 }, decision: { type: 'fail' } },
  { name: 'an account stored under a higher maxAttempts never records more than the limit', account: { ...fresh, spent: 5 }, policy: { ...retry, maxAttempts: 3 }, outcome: { type: 'retryable' }, expectedAccount: { spent: 5 }, decision: { type: 'fail' } },
  // went offline / constraints no longer met | no | no | waits in scheduled
  { name: 'B16 went offline: waits for connectivity, spends nothing', account: backedOff, outcome: { type: 'offline', reason: 'connectivity' }, expectedAccount: {}, decision: { type: 'wait', reason: 'connectivity', recheckAfter: null } },
  { name: 'constraints no longer met: waits for constraints, spends nothing', account: backedOff, outcome: { type: 'offline', reason: 'constraints' }, expectedAccount: {}, decision: { type: 'wait', reason: 'constraints', recheckAfter: null } },
  { name: 'offline at maxAttempts - 1 still spends nothing', account: { ...fresh, spent: 2 }, policy: { ...retry, maxAttempts: 3 }, outcome: { type: 'offline', reason: 'connectivity' }, expectedAccount: {}, decision: { type: 'wait', reason: 'connectivity', recheckAfter: null } },
  // an idempotent request's reused connection reset before any response byte | no, once | no
  { name: 'B12 stale reused connection: retried at once, spends nothing', account: backedOff, outcome: { type: 'staleConnection' }, expectedAccount: { staleRetryUsed: true }, decision: { type: 'retry', delay: 0 } },
  { name: 'B12 a second stale connection before any progress: a counted retry', account: { ...backedOff, staleRetryUsed: true }, outcome: { type: 'staleConnection' }, draw: 0.5, expectedAccount: { staleRetryUsed: true, spent: 4, backoffExponent: 4 }, decision: { type: 'retry', delay: 4000 } },
  { name: 'B12 a stale connection after durable progress: free again', account: { ...backedOff, staleRetryUsed: true, madeProgress: true }, outcome: { type: 'staleConnection' }, expectedAccount: { staleRetryUsed: true, backoffExponent: 0, madeProgress: false }, decision: { type: 'retry', delay: 0 } },
  // restart from 0 | no, for the first 3 in a row | no | the 4th in a row counts as a retryable failure
  { name: 'A1 first restart in a row: free and at once', account: backedOff, outcome: { type: 'restart', reason: 'ServerIgnoredRange' }, expectedAccount: { restartsInARow: 1 }, decision: { type: 'retry', delay: 0 } },
  { name: 'A2 third restart in a row: free and at once', account: { ...backedOff, restartsInARow: 2 }, outcome: { type: 'restart', reason: 'RangeMismatch' }, expectedAccount: { restartsInARow: 3 }, decision: { type: 'retry', delay: 0 } },
  { name: 'fourth restart in a row: a retryable failure, and the row starts again', account: { ...backedOff, restartsInARow: 3 }, outcome: { type: 'restart', reason: 'RangeMismatch' }, draw: 0.5, expectedAccount: { restartsInARow: 0, spent: 4, backoffExponent: 4 }, decision: { type: 'retry', delay: 4000 } },
  { name: 'fourth restart in a row at the last of maxAttempts: fail', account: { ...fresh, spent: 2, restartsInARow: 3 }, policy: { ...retry, maxAttempts: 3 }, outcome: { type: 'restart', reason: 'RangeMismatch' }, expectedAccount: { restartsInARow: 0, spent: 3 }, decision: { type: 'fail' } },
  { name: 'A8 integrity mismatch after a resume: a free restart', outcome: { type: 'restart', reason: 'IntegrityRestart' }, expectedAccount: { restartsInARow: 1 }, decision: { type: 'retry', delay: 0 } },
  { name: 'a restart after durable progress starts a new row', account: { ...backedOff, restartsInARow: 3, madeProgress: true }, outcome: { type: 'restart', reason: 'ValidatorChanged' }, expectedAccount: { restartsInARow: 1, backoffExponent: 0, madeProgress: false }, decision: { type: 'retry', delay: 0 } },
  // disk full | no | re-checked every 30 s | waits with reason storage
  { name: 'disk full: waits for storage, re-checked in 30 s, spends nothing', account: backedOff, outcome: { type: 'diskFull' }, expectedAccount: {}, decision: { type: 'wait', reason: 'storage', recheckAfter: 30_000 } },
  // final error | | | the task fails
  { name: 'B11 final error: the task fails', account: backedOff, outcome: { type: 'final' }, expectedAccount: {}, decision: { type: 'fail' } },
  { name: 'final error with maxAttempts left: the task fails, nothing spent', policy: { ...retry, maxAttempts: 5 }, outcome: { type: 'final' }, expectedAccount: {}, decision: { type: 'fail' } },
];

describe('accountAttempt', () => {
  for (const row of rows) {
    it(row.name, () => {
      const account = row.account ?? fresh;
      const result = accountAttempt({
        account,
        outcome: row.outcome,
        retry: row.policy ?? retry,
        draw: row.draw ?? 0.5,
        retryAfter: row.retryAfter ?? null,
      });
      expect(result.decision).toEqual(row.decision);
      expect(result.account).toEqual({ ...account, ...row.expectedAccount });
    });
  }
});
