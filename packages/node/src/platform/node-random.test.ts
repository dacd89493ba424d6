import { describe, expect, it } from 'vitest';
import { createNodeRandom } from './node-random.js';

describe('createNodeRandom', () => {
  it('draws numbers in [0, 1) that are not all the same', () => {
    const random = createNodeRandom();
    const draws = Array.from({ length: 1000 }, () => random.next());
    for (const draw of draws) {
      expect(draw).toBeGreaterThanOrEqual(0);
      expect(draw).toBeLessThan(1);
    }
    expect(new Set(draws).size).toBeGreaterThan(990);
  });

  it('makes ids of 32 lower-case hex digits that do not repeat', () => {
    const random = createNodeRandom();
    const ids = Array.from({ length: 1000 }, () => random.id());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(1000);
  });
});
