/** Header map with lower-case names. Multiple values are joined with ", " (RFC 9110 5.3). */
export type HeaderMap = Readonly<Record<string, string>>;

/** A request as the core keeps it: what an attempt sends, before resume headers are added. */
export interface HttpRequest {
  /** Absolute http(s) URL. */
  readonly url: string;
  /** Upper-case method. */
  readonly method: string;
  /** Lower-case header names. Sensitive headers are kept only in memory unless the app opted in. */
  readonly headers: HeaderMap;
}

/** What the transport reports when a response's head arrives. */
export interface ResponseHead {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: HeaderMap;
  /** True when the transport reused a kept-alive connection for this attempt. */
  readonly reusedConnection?: boolean;
}

/**
 * A cache validator seen on a response (RFC 9110 8.8). Whether a download may resume depends on it
 * only: a strong ETag, or a Last-Modified that is strong by RFC 9110 8.8.2.2.
 */
export type Validator =
  | { readonly type: 'etag'; readonly value: string; readonly weak: boolean }
  | { readonly type: 'lastModified'; readonly value: string; readonly strong: boolean };
