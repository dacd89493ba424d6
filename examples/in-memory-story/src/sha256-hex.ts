import { createHash } from 'node:crypto';

/**
 * The SHA-256 of `bytes` as lower-case hex, computed with node:crypto: the demo's check on the
 * delivered file does not rely on the library's own hasher.
 *
 * @example
 * ```ts
 * sha256Hex(new TextEncoder().encode('abc')); // 'ba7816bf8f01cfea...'
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
