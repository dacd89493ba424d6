import { getRandomValues, randomFillSync } from 'node:crypto';
import type { Random } from '@bgsession/core';

/** Draws 53 random bits, every bit a double in [0, 1) can hold, as a uniform double in [0, 1). */
function draw(): number {
  const words = getRandomValues(new Uint32Array(2));
  const high = (words[0] ?? 0) >>> 5;
  const low = (words[1] ?? 0) >>> 6;
  return (high * 2 ** 26 + low) / 2 ** 53;
}

/**
 * Creates the {@link Random} of Node, from `node:crypto`: `next()` is a uniform draw in [0, 1)
 * with 53 bits of resolution (`getRandomValues`), `id()` 128 random bits as 32 lower-case hex digits
 * (from `randomFillSync`), fit for event and part identifiers nobody may guess.
 *
 * @example
 * ```ts
 * const random = createNodeRandom();
 * random.next(); // 0.7391...
 * random.id(); // '3f9c0a4e1b7d46e2a8c5f0d9e1b2a3c4'
 * ```
 */
export function createNodeRandom(): Random {
  // Drawn 256 identifiers at a time: one call into the OS's generator per 4 KiB instead of one per
  // event (a small download has two), each byte still used once.
  const pool = Buffer.alloc(4096);
  let at = pool.length;
  return {
    next: draw,
    id: () => {
      if (at === pool.length) {
        randomFillSync(pool);
        at = 0;
      }
      at += 16;
      return pool.toString('hex', at - 16, at);
    },
  };
}
