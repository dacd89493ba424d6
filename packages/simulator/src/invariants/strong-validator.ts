import { parseHttpDate, type HeaderMap } from '@bgsession/core';

/**
 * The strong validator a response carries, as If-Range would name it (RFC 9110 8.8.2.2, 13.1.5): a
 * strong ETag, else a Last-Modified at least one second before its Date; null otherwise.
 *
 * @example
 * ```ts
 * strongValidator({ etag: '"v1"' }); // '"v1"'
 * strongValidator({ etag: 'W/"v1"' }); // null
 * ```
 */
export function strongValidator(headers: HeaderMap): string | null {
  const etag = headers['etag'];
  if (etag !== undefined && etag.trim().startsWith('"')) return etag.trim();
  const lastModified = headers['last-modified'];
  if (lastModified === undefined || etag !== undefined) return null;
  const modified = parseHttpDate(lastModified);
  const date = parseHttpDate(headers['date']);
  return modified !== null && date !== null && modified <= date - 1000 ? lastModified : null;
}
