import { createHash } from 'node:crypto';
import { BgSessionError, type Hasher } from '@bgsession/core';

/**
 * Creates a {@link Hasher} over `node:crypto`'s SHA-256, for tests that run in Node. Digests are in
 * Subresource Integrity form, `sha256-<base64>`.
 *
 * @example
 * ```ts
 * const state = createNodeTestHasher().create();
 * state.update(new TextEncoder().encode('abc'));
 * state.digest(); // 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='
 * ```
 */
export function createNodeTestHasher(): Hasher {
  return {
    create() {
      const hash = createHash('sha256');
      let ended = false;
      function checkOpen(): void {
        if (ended) throw new BgSessionError('InvalidArgument', 'This hash state already gave its digest.');
      }
      return {
        update(bytes) {
          checkOpen();
          hash.update(bytes);
        },
        digest() {
          checkOpen();
          ended = true;
          return `sha256-${hash.digest('base64')}`;
        },
      };
    },
  };
}
