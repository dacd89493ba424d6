import { BgSessionError } from '@bgsession/core';
import type { BodySource } from '../servers/body-source.js';
import type { ServerRequestRecord } from '../servers/server-request.js';
import type { AttemptRun } from './attempt-run.js';
import type { HostState } from './host-state.js';
import { nextChunk } from './next-chunk.js';
import type { NetworkContext } from './network-context.js';

/** How one response body plays out on the wire. */
export interface SimBodyPlan {
  readonly source: BodySource;
  /** The bytes that make the body complete: the Content-Length, or the source's length. */
  readonly target: number;
  /** The bytes the server sends before it stops (its length, or where it cuts). */
  readonly available: number;
  /** The end is only the connection closing: a cut looks complete. */
  readonly closeDelimited: boolean;
  readonly stallAfter: number | null;
  /** The network cuts the connection after this many bytes, or null. */
  readonly dropAt: number | null;
  readonly bytesPerSecond: number | null;
}

/**
 * A response body on the virtual network. Each `next()` computes one chunk (up to 1 MiB) and
 * delivers it after the time the link takes at its current share, so nothing moves until the
 * consumer asks (backpressure) and nothing is simulated per byte. `return()` releases the
 * response; the connection is then closed rather than reused, as a client does with an unread
 * body. Calls are serialised, so a consumer that does not wait still gets chunks in order.
 */
export class SimBody implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  private offset = 0;
  /** Time owed (or ahead) from rounding chunk delays to whole ms, so a long body keeps its exact rate. */
  private carry = 0;
  private finished = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly deliverable: number;

  constructor(
    private readonly context: NetworkContext,
    private readonly host: HostState,
    private readonly run: AttemptRun,
    private readonly record: ServerRequestRecord | null,
    private readonly plan: SimBodyPlan,
  ) {
    this.deliverable = Math.min(plan.available, plan.target, plan.dropAt ?? Number.POSITIVE_INFINITY);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const result = this.tail.then(() => this.step());
    this.tail = result.catch(() => undefined);
    return result;
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.finished) {
      this.finished = true;
      this.run.end('released');
    }
    return { done: true, value: undefined };
  }

  private async step(): Promise<IteratorResult<Uint8Array>> {
    if (this.finished && this.run.failure === null) return { done: true, value: undefined };
    this.run.check();
    const plan = this.plan;
    if (this.offset >= this.deliverable) return this.end();
    if (plan.stallAfter !== null && this.offset >= plan.stallAfter) await this.run.waitForever();
    const limit = Math.min(this.deliverable, plan.stallAfter ?? Number.POSITIVE_INFINITY);
    const chunk = nextChunk(this.context.bodyRate(this.host, plan.bytesPerSecond), limit - this.offset, this.context.limits);
    if (chunk === null) await this.run.waitForever();
    else {
      const due = chunk.delay + this.carry;
      const waited = due > 0 ? Math.ceil(due) : 0;
      this.carry = due - waited;
      await this.run.wait(waited);
    }
    this.run.check();
    const size = chunk?.size ?? 0;
    // A view of a shared pattern when the content offers one: no copy, no garbage (the port's
    // consumers copy what they keep and never write into a chunk).
    const bytes = plan.source.view?.(this.offset, size) ?? plan.source.read(this.offset, size);
    this.offset += bytes.byteLength;
    this.run.bytesReceived = this.offset;
    if (this.record !== null) this.record.bytesSent = this.offset;
    return { done: false, value: bytes };
  }

  /** Every byte that will come has come: a clean end, or a cut the framing reveals. */
  private end(): IteratorResult<Uint8Array> {
    const plan = this.plan;
    const sent = Math.min(plan.available, plan.target);
    const fields = { bodyMayHaveBeenSent: true, reusedConnection: this.run.reused };
    if (plan.dropAt !== null && this.offset < sent) {
      throw this.run.fail(new BgSessionError('IncompleteBody', `The connection dropped after ${this.offset} body bytes.`, fields), 'dropped', 'dropped');
    }
    if (this.offset < plan.target && !plan.closeDelimited) {
      throw this.run.fail(
        new BgSessionError('IncompleteBody', `The server closed the connection after ${this.offset} of ${plan.target} body bytes.`, fields),
        'truncated',
        'dropped',
      );
    }
    this.finished = true;
    // A close-delimited body the server cut looks complete to the client; the log says what it was.
    this.run.end(plan.closeDelimited && plan.available < plan.source.length ? 'truncated' : 'complete');
    return { done: true, value: undefined };
  }
}
