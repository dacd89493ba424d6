import type { ErrorCode } from '@bgsession/core';
import type { RespondStep, ScriptHandler } from './scripted-transport.js';

/** How {@link serveBytes} behaves. */
export interface ServeBytesOptions {
  /** The ETag header value, quotes included (`'"v1"'`, or `'W/"v1"'` for a weak one). */
  readonly etag?: string;
  /** The Last-Modified header value (an HTTP date). */
  readonly lastModified?: string;
  /** The Date header value. */
  readonly date?: string;
  /** Answer 200 with the whole content whatever the Range (a server without range support). */
  readonly ignoreRange?: boolean;
  /** More response headers (Content-Type, Content-Encoding...). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Splits the body into chunks of at most this many bytes (64 KiB by default). */
  readonly chunkSize?: number;
  /** Cut this response's body after this many of its bytes. */
  readonly failAfter?: { readonly bytes: number; readonly code: ErrorCode };
  /** Stall this response's body after this many of its bytes, until the attempt is aborted. */
  readonly hangAfter?: number;
}

/**
 * A script handler that serves `content` like a compliant server (RFC 9110 section 14): a `Range:
 * bytes=first-[last]` (or a suffix `bytes=-n`) is answered 206 with Content-Range when there is no
 * `If-Range` or it matches (a strong ETag compared strongly, or the exact Last-Modified date), 200
 * with the whole content otherwise, and 416 with `bytes *\/length` when the range starts at or past
 * the end. Several ranges, another unit or a malformed value are ignored (200), as RFC 9110 allows.
 *
 * @example
 * ```ts
 * const content = new TextEncoder().encode('0123456789');
 * const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
 * // `Range: bytes=4-` with `If-Range: "v1"` -> 206, Content-Range: bytes 4-9/10, body '456789'
 * ```
 */
export function serveBytes(content: Uint8Array, options: ServeBytesOptions = {}): ScriptHandler {
  const length = content.length;
  const base: Record<string, string> = {};
  if (options.ignoreRange !== true) base['accept-ranges'] = 'bytes';
  if (options.etag !== undefined) base['etag'] = options.etag;
  if (options.lastModified !== undefined) base['last-modified'] = options.lastModified;
  if (options.date !== undefined) base['date'] = options.date;
  for (const [name, value] of Object.entries(options.headers ?? {})) base[name.toLowerCase()] = value;

  function respond(status: number, headers: Record<string, string>, body: Uint8Array): RespondStep {
    return {
      type: 'respond',
      status,
      headers: { ...base, ...headers },
      body,
      chunkSize: options.chunkSize ?? 64 * 1024,
      ...(options.failAfter === undefined ? {} : { failAfter: options.failAfter }),
      ...(options.hangAfter === undefined ? {} : { hangAfter: options.hangAfter }),
    };
  }

  return (request) => {
    const whole = respond(200, { 'content-length': String(length) }, request.method === 'HEAD' ? new Uint8Array() : content);
    const rangeHeader = request.headers['range'];
    if (options.ignoreRange === true || rangeHeader === undefined) return whole;
    const ifRange = request.headers['if-range'];
    if (ifRange !== undefined && !validatorMatches(ifRange, options)) return whole;
    const range = parseRange(rangeHeader, length);
    if (range === 'ignore') return whole;
    if (range === 'unsatisfiable') {
      return respond(416, { 'content-range': `bytes */${length}`, 'content-length': '0' }, new Uint8Array());
    }
    const body = content.subarray(range.first, range.last + 1);
    return respond(
      206,
      { 'content-range': `bytes ${range.first}-${range.last}/${length}`, 'content-length': String(body.length) },
      request.method === 'HEAD' ? new Uint8Array() : body,
    );
  };
}

/** RFC 9110 13.1.5: If-Range matches only a strong ETag compared strongly, or the exact date. */
function validatorMatches(ifRange: string, options: ServeBytesOptions): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    const etag = options.etag;
    return etag !== undefined && !etag.startsWith('W/') && !value.startsWith('W/') && etag === value;
  }
  return options.lastModified !== undefined && value === options.lastModified;
}

function parseRange(
  value: string,
  length: number,
): { readonly first: number; readonly last: number } | 'ignore' | 'unsatisfiable' {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (match === null) return 'ignore';
  const [, firstText = '', lastText = ''] = match;
  if (firstText === '') {
    // A suffix range: the last n bytes.
    if (lastText === '') return 'ignore';
    const suffix = Number(lastText);
    if (suffix === 0) return 'unsatisfiable';
    return length === 0 ? 'unsatisfiable' : { first: Math.max(0, length - suffix), last: length - 1 };
  }
  const first = Number(firstText);
  // Only a written last position before the first makes the range invalid (ignored).
  if (lastText !== '' && Number(lastText) < first) return 'ignore';
  if (first >= length) return 'unsatisfiable';
  const last = lastText === '' ? length - 1 : Math.min(Number(lastText), length - 1);
  return { first, last };
}
