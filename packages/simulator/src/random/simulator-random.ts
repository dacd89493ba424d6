import type { Random } from '@bgsession/core';
import { BgSessionError } from '@bgsession/core';
import { createSeededRandom } from '@bgsession/testing';

/**
 * A seeded {@link Random} that can be split into independent streams, one per part of a world
 * (the disk, the network, each server), so that a part that draws more does not shift the draws
 * of the others, and a seed replays every draw.
 */
export interface SimulatorRandom extends Random {
  /** The seed of this stream (for a fork: derived from its parent's seed and its label). */
  readonly seed: number;
  /** The labels from the root to this stream, joined with `/` (`''` for the root). */
  readonly label: string;
  /** An integer in [0, `bound`), for a positive integer `bound`. */
  below(bound: number): number;
  /** True with probability `probability` (one draw). */
  chance(probability: number): boolean;
  /**
   * A stream that depends only on this stream's seed and `label`: not on how many draws were made
   * here before or after, nor on the order of forks. The same label gives the same stream, so give
   * each part its own label.
   */
  fork(label: string): SimulatorRandom;
}

/**
 * Creates a {@link SimulatorRandom} (mulberry32, as `createSeededRandom` of `@bgsession/testing`:
 * fast, 32 bits of state, not cryptographic). `next()` and `id()` draw exactly as that one does for
 * the same seed.
 *
 * @example
 * ```ts
 * const random = createSimulatorRandom(42);
 * const disk = random.fork('disk');
 * const network = random.fork('network');
 * network.next(); // draws here never change what `disk` draws
 * disk.below(3); // 0, 1 or 2, the same for every run with seed 42
 * ```
 */
export function createSimulatorRandom(seed: number): SimulatorRandom {
  return streamOf(seed, '');
}

function streamOf(seed: number, label: string): SimulatorRandom {
  const inner = createSeededRandom(seed);
  return {
    seed,
    label,
    next: () => inner.next(),
    id: () => inner.id(),
    below(bound) {
      if (!Number.isSafeInteger(bound) || bound <= 0) {
        throw new BgSessionError('InvalidArgument', `below() takes a positive integer, not ${bound}.`, { field: 'bound' });
      }
      return Math.floor(inner.next() * bound);
    },
    chance: (probability) => inner.next() < probability,
    fork: (child) => streamOf(forkSeed(seed, child), label === '' ? child : `${label}/${child}`),
  };
}

/**
 * FNV-1a over the label's UTF-16 code units, started from the parent's seed, then murmur3's
 * finaliser, so that labels differing in one character give unrelated seeds.
 */
function forkSeed(parent: number, label: string): number {
  let hash = (0x811c9dc5 ^ (parent >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}
