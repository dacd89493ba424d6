import { BgSessionError, type CancelTimer, type Clock } from '@bgsession/core';
import type { ExchangeOutcome } from '../servers/server-request.js';
import type { FailureReason } from './sim-network-types.js';

/** Why the world cut an attempt from outside: the client aborted, the network dropped it, the transport closed. */
export type InterruptKind = 'aborted' | 'dropped' | 'closed';

interface Pending {
  readonly cancel: CancelTimer | null;
  readonly reject: (error: BgSessionError) => void;
}

/**
 * One hop of an attempt on the virtual network: every wait is a Clock timer that an abort, a
 * dropped connection or a closed transport interrupts at once, and the run ends exactly once,
 * telling its hooks how (so the connection goes back to the pool or is closed, the server's log
 * and the trace learn the outcome, and the link's share is given back).
 */
export class AttemptRun {
  /** The failure that ended the run, or null. */
  failure: BgSessionError | null = null;
  /** What the trace says of the failure. */
  reason: FailureReason | null = null;
  /** Some of the request went out: a failure now cannot prove the server saw nothing. */
  requestStarted = false;
  /** The run uses a kept-alive connection from an earlier request. */
  reused = false;
  /** The response head arrived: a cut now is an incomplete body. */
  responseStarted = false;
  /** The connection carrying the request, once there is one. */
  connection: number | null = null;
  /** Response body bytes delivered so far. */
  bytesReceived = 0;
  private pending: Pending | null = null;
  private ended = false;
  private outcome: ExchangeOutcome = 'pending';
  private readonly hooks: ((outcome: ExchangeOutcome) => void)[] = [];
  private readonly onAbort = (): void => this.interrupt('aborted', 'The attempt was aborted.');

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Whether the run has ended (completed, released or failed). */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Resolves after `ms` of virtual time rounded up to a whole millisecond (at once for 0), or
   * rejects when the run is cut. Whole milliseconds, because a driver that moves a clock to its
   * next timer's wall-clock instant (about 1.7e12) cannot hit a fraction of a millisecond.
   */
  wait(ms: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(this.endedError());
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cancel = this.clock.setTimer(Math.ceil(ms), () => {
        this.pending = null;
        resolve();
      });
      this.pending = { cancel, reject };
    });
  }

  /** Never resolves: rejects when the run is cut (a silent server). */
  waitForever(): Promise<never> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(this.endedError());
    return new Promise((_resolve, reject) => {
      this.pending = { cancel: null, reject };
    });
  }

  /** Throws the failure that ended the run, if any. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Cuts the run from outside; the error depends on how far it got. No-op once ended. */
  interrupt(kind: InterruptKind, message: string): void {
    if (this.ended) return;
    const fields = { bodyMayHaveBeenSent: this.requestStarted, reusedConnection: this.reused };
    const error =
      kind === 'dropped' && this.responseStarted
        ? new BgSessionError('IncompleteBody', `${message} The response body was cut.`, fields)
        : new BgSessionError('ConnectionFailed', message, fields);
    this.fail(error, kind === 'aborted' ? 'aborted' : 'dropped', kind);
  }

  /** Ends the run with `error` (which the caller throws), rejecting a pending wait with it. */
  fail(error: BgSessionError, outcome: ExchangeOutcome, reason: FailureReason): BgSessionError {
    if (this.ended) return this.failure ?? error;
    this.failure = error;
    this.reason = reason;
    const pending = this.pending;
    this.pending = null;
    pending?.cancel?.();
    pending?.reject(error);
    this.end(outcome);
    return error;
  }

  /** Ends the run without a failure (`complete`, `truncated` by a clean close, `released`). */
  end(outcome: ExchangeOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.outcome = outcome;
    this.signal.removeEventListener('abort', this.onAbort);
    const pending = this.pending;
    this.pending = null;
    pending?.cancel?.();
    pending?.reject(this.failure ?? this.endedError());
    for (const hook of this.hooks) hook(outcome);
  }

  /** Runs `hook` once, when the run ends (at once if it already has). */
  onEnd(hook: (outcome: ExchangeOutcome) => void): void {
    if (this.ended) hook(this.outcome);
    else this.hooks.push(hook);
  }

  private endedError(): BgSessionError {
    return new BgSessionError('ConnectionFailed', 'The response was released.', { bodyMayHaveBeenSent: this.requestStarted, reusedConnection: this.reused });
  }
}
