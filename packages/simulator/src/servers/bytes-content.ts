import { BgSessionError } from '@bgsession/core';
import { bytesBody } from './bytes-body.js';
import type { SimContent } from './sim-content.js';

/** Options of {@link bytesContent}. */
export interface BytesContentOptions {
  /** The version's tag (letters, digits, `-`, `.`); by default one derived from the bytes. */
  readonly tag?: string;
}

const tagForm = /^[A-Za-z0-9.-]+$/;

/**
 * Content held in memory (copied), for small files and exact test fixtures. Its `nextVersion()`
 * adds 1 to every byte, so no byte of the next version equals the same byte of this one.
 *
 * @example
 * ```ts
 * const page = bytesContent(new TextEncoder().encode('hello world'), { tag: 'v1' });
 * page.tag; // 'v1', served as ETag "v1"
 * ```
 */
export function bytesContent(bytes: Uint8Array | string, options: BytesContentOptions = {}): SimContent {
  const body = bytesBody(bytes);
  const copy = body.read(0, body.length);
  const tag = options.tag ?? `b${fnv1a(copy).toString(36)}-${copy.length.toString(36)}`;
  if (!tagForm.test(tag)) {
    throw new BgSessionError('InvalidArgument', `A content tag may hold only letters, digits, '-' and '.', not ${JSON.stringify(tag)}.`, { field: 'tag' });
  }
  return {
    length: body.length,
    tag,
    read: body.read,
    nextVersion: () => bytesContent(copy.map((byte) => (byte + 1) & 0xff), { tag: `${tag}.n` }),
  };
}

function fnv1a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}
