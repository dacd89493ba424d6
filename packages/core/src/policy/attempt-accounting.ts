import type { RetryPolicy } from '../model/configuration.js';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { AttemptAccount } from '../model/task-types.js';
import { backoffDelay } from './backoff-delay.js';

/** Restarts from 0 in a row that cost nothing; the next one counts as a retryable failure. */
export const freeRestartsInARow = 3;

/** How often a task waiting for storage re-checks the disk, ms. */
export const storageRecheckInterval = 30_000;

/**
 * Past this, `base * 2^n` exceeds any cap a configuration can hold; stopping the exponent here
 * keeps a stored account from growing for as long as a task retries.
 */
const maxBackoffExponent = 64;

/** What the task does after an attempt ended. */
export type AttemptDecision =
  /** The task fails with the attempt's error. */
  | { readonly type: 'fail' }
  /** Another attempt after `delay` ms (0: at once, without backing off). */
  | { readonly type: 'retry'; readonly delay: number }
  /** Wait in `scheduled` with this reason; re-check after `recheckAfter` ms, or on a change. */
  | {
      readonly type: 'wait';
      readonly reason: 'connectivity' | 'constraints' | 'storage';
      readonly recheckAfter: number | null;
    };

/** What `accountAttempt` needs. */
export interface AccountAttemptInput {
  readonly account: AttemptAccount;
  readonly outcome: AttemptOutcome;
  readonly retry: RetryPolicy;
  /** The Random port's draw in [0, 1) for this backoff. */
  readonly draw: number;
  /** The delay a `Retry-After` asked for (`parseRetryAfter`), or null. */
  readonly retryAfter: number | null;
}

/**
 * Applies the table of semantics section 4 to an attempt that ended: what it costs and what
 * happens next.
 *
 * | outcome | spends | next |
 * |---|---|---|
 * | retryable | one | backoff `backoffDelay(n)`, or at least Retry-After, capped; n + 1; `fail` once `maxAttempts` are spent |
 * | final | - | `fail` |
 * | offline | none | wait for connectivity / constraints |
 * | staleConnection | none, once until durable progress | retry at once; later ones are retryable |
 * | restart | none for the first 3 in a row | retry at once; the 4th is retryable and the row starts again |
 * | diskFull | none | wait for storage, re-check every 30 s |
 *
 * An attempt that made durable progress first resets the exponent, the row of restarts and the
 * free stale retry: the task is moving, so the next failure starts the policy over. Retry-After
 * is honoured as a floor (the delay is the larger of it and the jittered backoff, capped), so a
 * server that keeps answering `Retry-After: 0` is still backed off from.
 *
 * @example
 * ```ts
 * const account = { started: 1, spent: 0, backoffExponent: 0, restartsInARow: 0, staleRetryUsed: false, startRecorded: false, madeProgress: false };
 * const retry = { base: 1000, cap: 600_000, maxAttempts: null };
 * accountAttempt({ account, outcome: { type: 'retryable' }, retry, draw: 0.5, retryAfter: null });
 * // { account: { ...account, spent: 1, backoffExponent: 1 }, decision: { type: 'retry', delay: 500 } }
 * accountAttempt({ account, outcome: { type: 'offline', reason: 'connectivity' }, retry, draw: 0.5, retryAfter: null });
 * // { account, decision: { type: 'wait', reason: 'connectivity', recheckAfter: null } }
 * ```
 */
export function accountAttempt(input: AccountAttemptInput): { account: AttemptAccount; decision: AttemptDecision } {
  const { outcome } = input;
  // The attempt is over: its progress is spent here, so it is never applied twice.
  const account: AttemptAccount = input.account.madeProgress
    ? { ...input.account, backoffExponent: 0, restartsInARow: 0, staleRetryUsed: false, madeProgress: false }
    : input.account;

  switch (outcome.type) {
    case 'final':
      return { account, decision: { type: 'fail' } };
    case 'offline':
      return { account: { ...account, restartsInARow: 0 }, decision: { type: 'wait', reason: outcome.reason, recheckAfter: null } };
    case 'diskFull':
      return {
        account: { ...account, restartsInARow: 0 },
        decision: { type: 'wait', reason: 'storage', recheckAfter: storageRecheckInterval },
      };
    case 'staleConnection':
      if (!account.staleRetryUsed) {
        return { account: { ...account, staleRetryUsed: true, restartsInARow: 0 }, decision: { type: 'retry', delay: 0 } };
      }
      return spend({ ...account, restartsInARow: 0 }, input);
    case 'restart': {
      const restartsInARow = account.restartsInARow + 1;
      if (restartsInARow <= freeRestartsInARow) {
        return { account: { ...account, restartsInARow }, decision: { type: 'retry', delay: 0 } };
      }
      return spend({ ...account, restartsInARow: 0 }, input);
    }
    case 'retryable':
      return spend({ ...account, restartsInARow: 0 }, input);
  }
}

function spend(account: AttemptAccount, input: AccountAttemptInput): { account: AttemptAccount; decision: AttemptDecision } {
  const { retry } = input;
  const spent = account.spent + 1;
  if (retry.maxAttempts !== null && spent >= retry.maxAttempts) {
    // Never record more than the limit, even for an account stored under a higher one.
    return { account: { ...account, spent: Math.min(spent, Math.max(retry.maxAttempts, account.spent)) }, decision: { type: 'fail' } };
  }
  const backoff = backoffDelay(account.backoffExponent, input.draw, retry);
  const cap = Math.max(0, retry.cap);
  const delay = input.retryAfter === null ? backoff : Math.min(cap, Math.max(input.retryAfter, backoff));
  return {
    account: { ...account, spent, backoffExponent: Math.min(account.backoffExponent + 1, maxBackoffExponent) },
    decision: { type: 'retry', delay },
  };
}
