import type { Random } from '@bgsession/core';

/** A {@link Random} that replays the same draws for the same seed. */
export interface SeededRandom extends Random {
  /** The seed it was created with. */
  readonly seed: number;
}

/**
 * Creates a deterministic {@link Random} (mulberry32: 32 bits of state, fast, and good enough for
 * jitter and identifiers in tests; not cryptographic). `id()` draws four 32-bit words.
 *
 * @example
 * ```ts
 * const a = createSeededRandom(42);
 * const b = createSeededRandom(42);
 * a.next() === b.next(); // true
 * a.id(); // 32 lower-case hex digits, the same for every run with seed 42
 * ```
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;

  function nextWord(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  return {
    seed,
    next: () => nextWord() / 0x1_0000_0000,
    id() {
      let text = '';
      for (let i = 0; i < 4; i += 1) text += nextWord().toString(16).padStart(8, '0');
      return text;
    },
  };
}
