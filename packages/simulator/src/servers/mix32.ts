/**
 * A 32-bit integer hash (mulberry32's finaliser): nearby inputs give unrelated outputs. The
 * simulator's contents are made of it, so they depend on their seed only.
 *
 * @example
 * ```ts
 * mix32(1) === mix32(1); // true
 * mix32(1) !== mix32(2); // true
 * ```
 */
export function mix32(value: number): number {
  let t = value >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
