import type { HeaderMap } from '@bgsession/core';

/** A request as a simulated server sees it when its head arrives (the body is read afterwards). */
export interface ServerRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The absolute URL requested. */
  readonly url: string;
  /** The URL's path, without the query: what routes match on. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: HeaderMap;
}

/**
 * What became of an exchange: `pending` while the response is in flight or the server is silent,
 * `complete` when the whole body arrived, `truncated` when the server closed early, `dropped` when
 * the network cut it, `aborted` when the client gave up, `released` when it stopped reading,
 * `reset` when no response came.
 */
export type ExchangeOutcome = 'pending' | 'complete' | 'truncated' | 'dropped' | 'aborted' | 'released' | 'reset';

/** One request a simulated server received, kept in its `requests` log. */
export interface ServerRequestRecord extends ServerRequest {
  /** 1 for the server's first request. */
  readonly sequence: number;
  /** The route's path, or null when no route matched. */
  readonly route: string | null;
  /** 1 for the first request to this route (or unmatched path): the index scripts see. */
  readonly attempt: number;
  /** The clock's monotonic time when the head arrived. */
  readonly at: number;
  /** The status answered, or null when the plan was a reset or silence. */
  readonly status: number | null;
  /** The request body received so far, or null when there was none or it passed the server's cap. */
  body: Uint8Array | null;
  /** Request body bytes received so far (counted even past the cap). */
  bodyLength: number;
  /** Response body bytes delivered to the client so far. */
  bytesSent: number;
  outcome: ExchangeOutcome;
}
