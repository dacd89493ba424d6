import type { HeaderMap, ResponseHead } from '../model/http.js';

/**
 * What a transport can do (semantics section 8). The core adapts rather than pretends: where a
 * transport cannot see a strong validator, a Content-Range and an identity encoding, downloads
 * restart from 0 instead of resuming.
 */
export interface TransportCapabilities {
  /** It can send `Accept-Encoding: identity` and receives bodies undecoded. */
  readonly setsAcceptEncoding: boolean;
  /** It sees ETag, Last-Modified and Content-Range on every response. */
  readonly seesValidators: boolean;
  /** It returns 3xx responses to the core instead of following them. */
  readonly manualRedirects: boolean;
  /** It reports request-body progress (`onBodySent`). */
  readonly reportsUploadProgress: boolean;
}

/** A request body the transport reads once per attempt, from the start. */
export interface RequestBody {
  /** Exact length; the transport never sends more. */
  readonly length: number;
  /** Opens the body; each chunk is sent before the next is pulled (backpressure). */
  open(): AsyncIterable<Uint8Array>;
}

/** One attempt, exactly as it goes on the wire (resume headers already added by the pump). */
export interface AttemptRequest {
  /**
   * The task the attempt carries, for a transport's logs and a simulator's records (a redirect's
   * next hop carries the same one). A transport behaves the same whatever it is.
   */
  readonly taskIdentifier: number;
  readonly url: string;
  readonly method: string;
  /** Lower-case names. */
  readonly headers: HeaderMap;
  readonly body: RequestBody | null;
  /** Aborts the attempt: the transport rejects, or ends its body iteration, with `ConnectionFailed`. */
  readonly signal: AbortSignal;
  /** Called as request-body bytes are handed to the network (total so far). */
  readonly onBodySent?: (totalSent: number) => void;
}

/** The response of one attempt: the head now, the body as it arrives. */
export interface AttemptResponse {
  readonly head: ResponseHead;
  /**
   * Body chunks in order. The next chunk is not read from the network until the consumer asks
   * (backpressure). Iteration rejects with a classified `BgSessionError` (`ConnectionFailed`,
   * `IncompleteBody`, ...). Ending it early (`return()`) releases the connection. Chunks are
   * read-only for the consumer: a transport may hand out views of memory it shares (the
   * simulator does), so whoever keeps bytes copies them (the stores do).
   */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Carries one attempt: one request, no redirect followed (`manualRedirects`), no retry.
 *
 * Guarantees: `start` resolves once the response head arrived, or rejects with a `BgSessionError`
 * whose code classifies the failure (`ConnectionFailed`, `DnsFailure`, `TlsCertificate`,
 * `InvalidUrl`...). It never throws anything else, and never touches a ByteStore, a checkpoint or a
 * timer: idle timeouts are the pump's.
 */
export interface Transport {
  readonly capabilities: TransportCapabilities;
  start(request: AttemptRequest): Promise<AttemptResponse>;
}
