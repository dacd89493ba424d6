import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, expectRejection } from '@bgsession/testing';
import { createSimulatorRandom } from './simulator-random.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);

function draws(random: { next(): number }, count: number): number[] {
  return Array.from({ length: count }, () => random.next());
}

describe('createSimulatorRandom', () => {
  it('the same seed replays the same draws, and they are those of the seeded Random of @bgsession/testing', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = createSimulatorRandom(seed);
        const b = createSimulatorRandom(seed);
        expect([...draws(a, 5), a.id()]).toEqual([...draws(b, 5), b.id()]);
        const reference = createSeededRandom(seed);
        const c = createSimulatorRandom(seed);
        expect(draws(c, 5)).toEqual(draws(reference, 5));
      }),
      { numRuns: runs },
    );
  });

  it('draws lie in [0, 1), and below(n) in [0, n)', () => {
    const random = createSimulatorRandom(7);
    for (let i = 0; i < 1000; i += 1) {
      const x = random.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const k = random.below(3);
      expect([0, 1, 2]).toContain(k);
    }
    expect(random.id()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a fork draws the same whatever its parent drew before or after, and whatever was forked first', () => {
    const quiet = createSimulatorRandom(99);
    const busy = createSimulatorRandom(99);
    draws(busy, 17);
    busy.fork('network');
    const fromQuiet = quiet.fork('disk');
    const fromBusy = busy.fork('disk');
    draws(busy, 3);
    expect(draws(fromBusy, 10)).toEqual(draws(fromQuiet, 10));
    expect(fromBusy.label).toBe('disk');
    expect(fromBusy.fork('sectors').label).toBe('disk/sectors');
  });

  it('forks with other labels, or of other seeds, draw other streams', () => {
    const random = createSimulatorRandom(1);
    const streams = ['disk', 'network', 'disk2', 'dish'].map((label) => draws(random.fork(label), 4).join());
    streams.push(draws(createSimulatorRandom(2).fork('disk'), 4).join());
    streams.push(draws(random, 4).join());
    expect(new Set(streams).size).toBe(streams.length);
  });

  it('chance(p) is true about p of the time', () => {
    const random = createSimulatorRandom(3);
    let hits = 0;
    for (let i = 0; i < 10_000; i += 1) if (random.chance(0.25)) hits += 1;
    expect(hits).toBeGreaterThan(2_300);
    expect(hits).toBeLessThan(2_700);
  });

  it('below() refuses a bound that is not a positive integer', async () => {
    const random = createSimulatorRandom(3);
    await expectRejection(Promise.resolve().then(() => random.below(0)), 'InvalidArgument');
    await expectRejection(Promise.resolve().then(() => random.below(1.5)), 'InvalidArgument');
  });
});
