import type { BodySource } from './body-source.js';

/**
 * How the client learns where a body ends (RFC 9112 section 6.3): `length` by Content-Length,
 * `chunked` by the last chunk, `close` only by the connection closing, which looks the same
 * whether the server finished or was cut short.
 */
export type Framing = 'length' | 'chunked' | 'close';

/** A response: the head, then the body as the network delivers it. */
export interface RespondPlan {
  readonly type: 'respond';
  readonly status: number;
  /** Lower-case names. Content-Length, if present, is what the client expects for `length` framing. */
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes the server means to send. */
  readonly body: BodySource;
  readonly framing: Framing;
  /**
   * The server closes the connection after this many body bytes, or null: with `length` or
   * `chunked` framing the client sees a body cut short, with `close` a complete (truncated) one.
   */
  readonly cutAfter: number | null;
  /** The server stops sending after this many body bytes and never sends more, or null. */
  readonly stallAfter: number | null;
  /** The server sends no faster than this (a slow drip), bytes per second, or null. */
  readonly bytesPerSecond: number | null;
  /** Milliseconds the server takes before the head leaves (think time). */
  readonly delay: number;
}

/** No response: the connection is reset. */
export interface ResetPlan {
  readonly type: 'reset';
  /** Read the whole request body first (an upload the server received, then dropped). */
  readonly afterRequestBody?: boolean;
}

/** No response ever: the request is accepted and the server goes silent until the client leaves. */
export interface HangPlan {
  readonly type: 'hang';
}

/** What a simulated server does with one request. */
export type ResponsePlan = RespondPlan | ResetPlan | HangPlan;
