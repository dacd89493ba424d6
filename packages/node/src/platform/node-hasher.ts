import { createHash } from 'node:crypto';
import { BgSessionError, type Hasher } from '@bgsession/core';

/**
 * Creates the {@link Hasher} of Node: streaming SHA-256 from `node:crypto`, with digests in
 * Subresource Integrity form (`sha256-<base64>`), the form of a task's `integrity` option.
 *
 * @example
 * ```ts
 * const state = createNodeHasher().create();
 * state.update(new TextEncoder().encode('ab'));
 * state.update(new TextEncoder().encode('c'));
 * state.digest(); // 'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='
 * ```
 */
export function createNodeHasher(): Hasher {
  return {
    create() {
      const hash = createHash('sha256');
      let ended = false;
      function checkOpen(): void {
        // node:crypto throws a plain Error here; the port's callers match on codes.
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
