import { errorCodes, retryableStatuses, type ErrorCode } from '../errors/error-codes.js';
import type { AttemptOutcome } from '../model/attempt-outcome.js';

/** What is known about a failed attempt when it is classified. */
export interface FailureInput {
  readonly code: ErrorCode;
  /** The HTTP status for `HttpStatus`, else null. */
  readonly status: number | null;
  /** The task's resolved `idempotent` option. */
  readonly idempotent: boolean;
  /**
   * Whether any byte of the request may have reached the server. False only when it provably did
   * not: the connection was refused, the name did not resolve, nothing was written.
   */
  readonly requestMayHaveBeenSent: boolean;
  /** Whether the attempt ran on a kept-alive connection reused from an earlier request. */
  readonly reusedConnection: boolean;
  /** Whether any byte of the response (its status line) arrived. */
  readonly responseStarted: boolean;
  /** Connectivity when the failure was seen. */
  readonly online: boolean;
  /** Whether the network still meets the task's constraints (expensive, constrained). */
  readonly constraintsMet: boolean;
}

/** The failures that are the network's, not the server's answer. */
const networkCodes: ReadonlySet<ErrorCode> = new Set(['ConnectionFailed', 'DnsFailure', 'IdleTimeout', 'IncompleteBody']);

/** Statuses by which the server says it did not process the request (RFC 9110 15.5.20, 15.6.4; RFC 6585 4). */
const notProcessedStatuses: ReadonlySet<number> = new Set([429, 503]);

/**
 * How a failed attempt counts (the table of semantics section 4), checked in this order:
 *
 * 1. `DiskFull` waits for storage; an HTTP status is retryable when listed (for a non-idempotent
 *    request only 429 and 503, which say the request was not processed); codes the table does not
 *    call retryable are final.
 * 2. A non-idempotent request that may have left is never repeated (invariant #13): a POST cut
 *    after its bytes went out may have been acted on, so even going offline does not make it
 *    retryable. A DNS failure proves nothing left.
 * 3. Offline, or constraints no longer met: wait, spend nothing.
 * 4. An idempotent request whose reused connection was reset before any response byte met a stale
 *    keep-alive connection, not a failing server: `staleConnection`.
 * 5. Everything else the table calls retryable.
 *
 * @example
 * ```ts
 * classifyFailure({ code: 'HttpStatus', status: 503, idempotent: false, requestMayHaveBeenSent: true,
 *   reusedConnection: false, responseStarted: true, online: true, constraintsMet: true });
 * // { type: 'retryable' }
 * ```
 */
export function classifyFailure(input: FailureInput): AttemptOutcome {
  if (input.code === 'DiskFull') return { type: 'diskFull' };
  if (input.code === 'HttpStatus') {
    return input.status === null ? { type: 'final' } : httpStatusOutcome(input.status, input.idempotent);
  }
  if (!networkCodes.has(input.code)) {
    return errorCodes[input.code].effect === 'retry' ? { type: 'retryable' } : { type: 'final' };
  }
  const neverLeft = input.code === 'DnsFailure' || !input.requestMayHaveBeenSent;
  if (!input.idempotent && !neverLeft) return { type: 'final' };
  if (!input.online) return { type: 'offline', reason: 'connectivity' };
  if (!input.constraintsMet) return { type: 'offline', reason: 'constraints' };
  if (input.code === 'ConnectionFailed' && input.reusedConnection && !input.responseStarted && input.idempotent) {
    return { type: 'staleConnection' };
  }
  return { type: 'retryable' };
}

/**
 * How an error status counts: retryable for 408, 429, 500, 502, 503 and 504 (for a non-idempotent
 * request only 429 and 503), final otherwise.
 *
 * @example
 * ```ts
 * httpStatusOutcome(503, true); // { type: 'retryable' }
 * httpStatusOutcome(404, true); // { type: 'final' }
 * httpStatusOutcome(502, false); // { type: 'final' }
 * ```
 */
export function httpStatusOutcome(status: number, idempotent: boolean): AttemptOutcome {
  if (!isRetryableStatus(status)) return { type: 'final' };
  if (!idempotent && !notProcessedStatuses.has(status)) return { type: 'final' };
  return { type: 'retryable' };
}

/**
 * Whether semantics section 4 lists the status as retryable (for an idempotent request).
 *
 * @example
 * ```ts
 * isRetryableStatus(429); // true
 * isRetryableStatus(501); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}
