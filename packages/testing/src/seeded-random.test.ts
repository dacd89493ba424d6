import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';

describe('createSeededRandom', () => {
  it('replays the same draws for the same seed, and others for another seed', () => {
    const draw = (seed: number): Array<number | string> => {
      const random = createSeededRandom(seed);
      return [random.next(), random.id(), random.next()];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws numbers in [0, 1) spread over the interval, and ids of 32 lower-case hex digits', () => {
    const random = createSeededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const value = random.next();
      expect(value >= 0 && value < 1).toBe(true);
      const bucket = Math.floor(value * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(800);
    const ids = new Set(Array.from({ length: 1000 }, () => random.id()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
