import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { BgSessionError, type AttemptResponse, type ResponseHead } from '@bgsession/core';
import { classifyUndiciError } from './classify-undici-error.js';
import { connectionKeptAlive } from './connection-kept-alive.js';
import type { ConnectionReuseTracker } from './connection-reuse.js';
import { responseHeaderMap } from './response-header-map.js';
import { singleLocation } from './single-location.js';

/**
 * Response bytes held for a consumer that has not asked for them yet. Past it, undici stops
 * reading the socket until the consumer catches up, so memory stays flat whatever the body's size
 * and the TCP window tells the server to slow down.
 */
const highWaterMark = 64 * 1024;

/** How much a body that cannot be paused may queue before the attempt is given up. */
const unpausableLimit = 32 * 1024 * 1024;

/** What one attempt sends, already validated and shaped for undici. */
export interface UndiciAttemptRequest {
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AsyncIterable<Uint8Array> | null;
  readonly signal: AbortSignal;
}

type Waiter = { readonly resolve: (chunk: Uint8Array | null) => void; readonly reject: (error: BgSessionError) => void };

/**
 * Runs one attempt through `dispatcher`: resolves at the response head with a body that pulls one
 * chunk at a time, or rejects with a classified `BgSessionError`. Never follows a redirect (the
 * dispatcher has no redirect interceptor) and never decodes the body.
 */
export function startUndiciAttempt(dispatcher: Dispatcher, request: UndiciAttemptRequest, reuse: ConnectionReuseTracker): Promise<AttemptResponse> {
  return new Promise((resolve, reject) => {
    const attempt = new UndiciAttempt(request, reuse, resolve, reject);
    attempt.dispatch(dispatcher);
  });
}

/**
 * Undici's dispatch handler for one attempt, and the queue between it and the consumer. The start
 * promise settles once; afterwards every failure ends the body iteration instead.
 */
class UndiciAttempt implements Dispatcher.DispatchHandler {
  readonly #request: UndiciAttemptRequest;
  readonly #reuse: ConnectionReuseTracker;
  #resolveHead: ((response: AttemptResponse) => void) | null;
  #rejectHead: ((error: BgSessionError) => void) | null;
  #controller: Dispatcher.DispatchController | null = null;
  #requestStarted = false;
  #responseStarted = false;
  #status = 0;
  #reused: boolean | undefined;
  /** The socket undici wrote the request on, once it did. */
  #socket: object | null = null;
  readonly #chunks: Uint8Array[] = [];
  #queuedBytes = 0;
  /** Whether the socket may be paused for backpressure (see {@link connectionKeptAlive}). */
  #pausable = true;
  /** The body's Content-Length when it frames the body, else null. */
  #announced: number | null = null;
  #received = 0;
  /** Null while the body is open; `'ended'` once undici completed it; the failure otherwise. */
  #end: 'ended' | BgSessionError | null = null;
  #waiter: Waiter | null = null;
  readonly #onAbort = (): void => {
    const failure = new BgSessionError('ConnectionFailed', 'The attempt was aborted.', { bodyMayHaveBeenSent: this.#requestStarted });
    // An abort is "stop now": bytes already queued are not delivered.
    this.#chunks.length = 0;
    this.#queuedBytes = 0;
    this.#fail(failure);
    this.#controller?.abort(failure);
  };

  constructor(request: UndiciAttemptRequest, reuse: ConnectionReuseTracker, resolve: (response: AttemptResponse) => void, reject: (error: BgSessionError) => void) {
    this.#request = request;
    this.#reuse = reuse;
    this.#resolveHead = resolve;
    this.#rejectHead = reject;
  }

  dispatch(dispatcher: Dispatcher): void {
    const { signal } = this.#request;
    if (signal.aborted) {
      this.#onAbort();
      return;
    }
    signal.addEventListener('abort', this.#onAbort, { once: true });
    const { origin, path, method, headers, body } = this.#request;
    try {
      // Undici takes any (async) iterable as a body; its types list only the concrete kinds.
      dispatcher.dispatch({ origin, path, method, headers, body: body as NonNullable<Dispatcher.DispatchOptions['body']> | null }, this);
    } catch (error) {
      this.onResponseError(null, error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#end instanceof BgSessionError) {
      // Aborted while undici was still connecting: it must not write the request now.
      controller.abort(this.#end);
      return;
    }
    this.#requestStarted = true;
    this.#reuse.expect(this.#request.method, this.#request.path, (reused, socket) => {
      this.#reused = reused;
      this.#socket = socket;
    });
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.#controller = controller;
    if (statusCode < 200 || this.#end !== null) return;
    const located = singleLocation(statusCode, headers);
    if (located instanceof BgSessionError) {
      this.#fail(located);
      controller.abort(located);
      return;
    }
    this.#responseStarted = true;
    this.#status = statusCode;
    this.#pausable = connectionKeptAlive(this.#socket, statusCode, located);
    this.#announced = announcedLength(located);
    const head: ResponseHead = {
      status: statusCode,
      headers: responseHeaderMap(located),
      ...(this.#reused === undefined ? {} : { reusedConnection: this.#reused }),
    };
    const resolve = this.#resolveHead;
    this.#resolveHead = null;
    this.#rejectHead = null;
    resolve?.({ head, body: { [Symbol.asyncIterator]: () => this.#bodyIterator() } });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#end !== null || chunk.byteLength === 0) return;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#received += bytes.byteLength;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      waiter.resolve(bytes);
      return;
    }
    this.#chunks.push(bytes);
    this.#queuedBytes += bytes.byteLength;
    if (this.#queuedBytes < highWaterMark) return;
    if (this.#pausable) {
      // Never paused on the chunk that completes the body: undici ends the message only after it,
      // and a server closing meanwhile would make a complete body "other side closed".
      if (this.#received !== this.#announced) controller.pause();
    } else if (this.#queuedBytes > unpausableLimit) {
      // Nothing slows this body down, and the consumer falls behind: end the attempt rather than
      // hold an unbounded queue (the pump resumes or restarts it).
      this.#release();
    }
  }

  onResponseEnd(): void {
    if (this.#end !== null) return;
    this.#end = 'ended';
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter !== null && this.#chunks.length === 0) waiter.resolve(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: unknown): void {
    if (this.#contentless(error)) {
      this.onResponseEnd();
      return;
    }
    const failure = classifyUndiciError(error, {
      aborted: this.#request.signal.aborted,
      requestStarted: this.#requestStarted,
      responseStarted: this.#responseStarted,
    });
    // A failure on a reused connection before any response byte is most likely a connection the
    // server had closed while idle: the core retries it at once, without spending an attempt (B12).
    this.#fail(this.#reused === undefined || failure.reusedConnection !== undefined ? failure : withReuse(failure, this.#reused));
  }

  /**
   * Whether `error` is undici holding a response that has no content (to HEAD, a 204, a 304: RFC
   * 9110 6.4.1) to its Content-Length: such a body is complete with no byte.
   */
  #contentless(error: unknown): boolean {
    const bodyless = this.#request.method === 'HEAD' || this.#status === 204 || this.#status === 304;
    const mismatch = typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH';
    return bodyless && mismatch && this.#responseStarted && this.#received === 0 && !this.#request.signal.aborted;
  }

  /** Settles the attempt with `failure`: the start promise if the head has not come, else the body. */
  #fail(failure: BgSessionError): void {
    // Once undici completed the body, only an abort (which dropped the queue) still ends it.
    if (this.#end !== null && !(this.#end === 'ended' && this.#request.signal.aborted)) return;
    this.#request.signal.removeEventListener('abort', this.#onAbort);
    const reject = this.#rejectHead;
    this.#resolveHead = null;
    this.#rejectHead = null;
    if (reject !== null) {
      this.#end = failure;
      reject(failure);
      return;
    }
    this.#end = failure;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(failure);
  }

  /**
   * The body's iterator. A generator's `return()` before its first `next()` skips its `finally`,
   * so a body closed unread (a redirect's, a restart's) would keep its connection and its abort
   * listener: this one releases them in that case too.
   */
  #bodyIterator(): AsyncIterator<Uint8Array, void, undefined> {
    const generator = this.#iterate();
    let started = false;
    return {
      next: () => {
        started = true;
        return generator.next();
      },
      return: (value?: void | PromiseLike<void>) => {
        if (!started) {
          started = true;
          this.#request.signal.removeEventListener('abort', this.#onAbort);
          this.#release();
        }
        return generator.return(value as void);
      },
    };
  }

  async *#iterate(): AsyncGenerator<Uint8Array, void, undefined> {
    let finished = false;
    try {
      for (;;) {
        const chunk = await this.#take();
        if (chunk === null) {
          finished = true;
          return;
        }
        yield chunk;
      }
    } catch (error) {
      finished = true;
      throw error;
    } finally {
      this.#request.signal.removeEventListener('abort', this.#onAbort);
      if (!finished) this.#release();
    }
  }

  #take(): Promise<Uint8Array | null> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.byteLength;
      if (this.#queuedBytes < highWaterMark && this.#end === null) this.#controller?.resume();
      return Promise.resolve(chunk);
    }
    if (this.#end === 'ended') return Promise.resolve(null);
    if (this.#end !== null) return Promise.reject(this.#end);
    this.#controller?.resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The consumer stopped early: drop the connection rather than read a body nobody wants. */
  #release(): void {
    if (this.#end !== null) return;
    const released = new BgSessionError('ConnectionFailed', 'The response body was released before its end.', { bodyMayHaveBeenSent: true });
    this.#end = released;
    this.#chunks.length = 0;
    this.#queuedBytes = 0;
    this.#controller?.abort(released);
  }
}

/** `failure` saying whether its connection had carried an earlier request. */
function withReuse(failure: BgSessionError, reusedConnection: boolean): BgSessionError {
  const copy = new BgSessionError(failure.code, failure.message, {
    retryable: failure.retryable,
    reusedConnection,
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
    ...(failure.bodyMayHaveBeenSent === undefined ? {} : { bodyMayHaveBeenSent: failure.bodyMayHaveBeenSent }),
    ...(failure.status === undefined ? {} : { status: failure.status }),
  });
  return copy;
}

/** The Content-Length that frames the body: none when a Transfer-Encoding overrides it (RFC 9112 6.3). */
function announcedLength(headers: IncomingHttpHeaders): number | null {
  const value = headers['content-length'];
  if (headers['transfer-encoding'] !== undefined || typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return null;
  return Number(value.trim());
}
