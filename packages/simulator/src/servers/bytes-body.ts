import type { BodySource } from './body-source.js';
import { clampOffset } from './clamp-offset.js';

/** A body of no bytes. */
export const emptyBody: BodySource = { length: 0, read: () => new Uint8Array(0) };

/**
 * A {@link BodySource} over bytes held in memory (copied, so the caller may reuse its array), or
 * the UTF-8 of a string.
 *
 * @example
 * ```ts
 * const body = bytesBody('not found');
 * body.length; // 9
 * new TextDecoder().decode(body.read(4, 5)); // 'found'
 * ```
 */
export function bytesBody(bytes: Uint8Array | string): BodySource {
  const copy = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes.slice();
  if (copy.length === 0) return emptyBody;
  return {
    length: copy.length,
    read: (offset, size) => copy.slice(clampOffset(offset, copy.length), clampOffset(offset + Math.max(0, size), copy.length)),
  };
}
