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
 * mulberry32 over a 32-bit seed: small, fast, and good enough to spread kills over a run. Not for
 * anything but test plans.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const pass = random.between(1, 100);
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
