import type { Framing } from './response-plan.js';
import type { RouteScript } from './route-script.js';
import type { SimContent } from './sim-content.js';

/**
 * The validators a file's responses carry: `etag` a strong ETag and Last-Modified (the default,
 * like most static servers), `weakEtag` a weak ETag and Last-Modified, `lastModified` only
 * Last-Modified, `none` neither.
 */
export type ValidatorKind = 'etag' | 'weakEtag' | 'lastModified' | 'none';

/** How a simulated server serves one file. */
export interface SimFileOptions {
  readonly content: SimContent;
  /** `supported` (default): Range and If-Range per RFC 9110; `ignored`: always 200. */
  readonly ranges?: 'supported' | 'ignored';
  readonly validator?: ValidatorKind;
  /**
   * How long before the file was registered its first version was modified, ms (default one day).
   * Under 1000 the Last-Modified is within a second of the Date of early responses: a weak date.
   */
  readonly lastModifiedAge?: number;
  /** A content coding (`gzip`...) announced when the request's Accept-Encoding allows it. */
  readonly contentEncoding?: string;
  /** `length` by default. */
  readonly framing?: Framing;
  /** The server sends no faster than this, bytes per second (a slow drip). */
  readonly bytesPerSecond?: number;
  /** `application/octet-stream` by default. */
  readonly contentType?: string;
  readonly contentDisposition?: string;
  /** More response headers (lower-cased). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A presigned-link target: requests must carry an `expires` query parameter (seconds since the
   * epoch) not yet past, as a redirect route with `presigned` issues; others get 403.
   */
  readonly signed?: boolean;
  /** Decides each request's answer; compliant when absent or when it answers nothing. */
  readonly script?: RouteScript;
}
