import { createSeededRandom } from '@bgsession/testing';

/** A reproducible source of numbers for the crash harness: the same seed gives the same run plan. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [low, high] (both included). */
  between(low: number, high: number): number;
  /** One of `items`, which must not be empty. */
  pick<T>(items: readonly T[]): T;
}

/**
 * The testing package's seeded Random (mulberry32) with the two draws a run plan needs. Not for
 * anything but test plans.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const pass = random.between(1, 100);
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  const { next } = createSeededRandom(seed);
  return {
    next,
    between: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}
