/**
 * B4's kill schedule: `kills` offsets in the file, drawn from a seeded generator (mulberry32), sorted,
 * between 2% and 98% of the size. A launch is killed once the server has handed the byte at the next
 * offset to its socket, so every contender is killed at the same places of the file.
 *
 * @example
 * ```ts
 * killSchedule(256 * 2 ** 20, 10, 1); // ten sorted offsets, the same for seed 1 on every run
 * ```
 */
export function killSchedule(size: number, kills: number, seed: number): number[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return Array.from({ length: kills }, () => Math.floor(size * (0.02 + 0.96 * next()))).sort((a, b) => a - b);
}
