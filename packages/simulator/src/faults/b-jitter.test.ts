import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { eventsOf, faultWorld, gaps, origin, requestsTo, runUntilEnded } from './b-fault-world.test-helpers.js';

// Fault B14 on the virtual clock: full jitter, delay = random(0, min(cap, base * 2^n)) before the
// (n + 2)-th attempt. The link has no latency, so the server sees each retry after exactly its
// delay plus the millisecond the failed answer took.
const hour = 60 * 60 * 1000;
// The 503's body takes its millisecond; whole-ms timers round it up.
const slack = 2;

/** The ceiling of the delay before attempt `index + 2`: min(cap, base * 2^index). */
function ceiling(index: number, retry: { readonly base: number; readonly cap: number }): number {
  return Math.min(retry.cap, retry.base * 2 ** index);
}

describe('B14 jitter', () => {
  it('#10 every delay of a task that keeps failing lies within [0, min(cap, base * 2^n)), and attempts stop at maxAttempts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 10, max: 5_000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 2, max: 12 }),
        async (seed, base, capFactor, maxAttempts) => {
          const retry = { base, cap: base * capFactor, maxAttempts };
          const { world, server, session, events } = await faultWorld({ seed, host: { latency: 0 }, configuration: { retry } }, (server) =>
            server.route('/busy', () => ({ type: 'status', status: 503 })),
          );
          const task = await session.data({ url: `${origin}/busy` });
          const [outcome] = await runUntilEnded(world, [task], 30 * 24 * hour);
          const waits = gaps(requestsTo(server, '/busy'));
          expect(waits).toHaveLength(maxAttempts - 1);
          waits.forEach((wait, index) => {
            expect(wait).toBeGreaterThanOrEqual(0);
            expect(wait).toBeLessThan(ceiling(index, retry) + slack);
          });
          expect([outcome?.phase, outcome?.error?.code, outcome?.error?.status]).toEqual(['failed', 'HttpStatus', 503]);
          expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'HttpStatus', 503]]);
          expect(world.violations({ settled: true })).toEqual([]);
        },
      ),
      { numRuns: Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 20) },
    );
  });

  it('#10 100 tasks failing in the same millisecond do not retry in the same millisecond, and their delays grow as the policy says', async () => {
    const count = 100;
    const retry = { base: 1_000, cap: 60_000 };
    const failures = 3;
    const { world, server, session } = await faultWorld(
      { seed: 14, host: { latency: 0 }, configuration: { maxConnectionsPerHost: count, maxConcurrentTasks: count, retry } },
      (server) => {
        const busy = { type: 'status', status: 503 } as const;
        for (let index = 0; index < count; index += 1) server.route(`/j${index}`, faultsByAttempt({ 1: busy, 2: busy, 3: busy }));
      },
    );
    const tasks = [];
    for (let index = 0; index < count; index += 1) tasks.push(await session.data({ url: `${origin}/j${index}` }));
    const outcomes = await runUntilEnded(world, tasks, hour);
    expect(outcomes.every((outcome) => outcome?.phase === 'succeeded')).toBe(true);

    const requests = Array.from({ length: count }, (_, index) => requestsTo(server, `/j${index}`));
    expect(requests.every((list) => list.length === failures + 1)).toBe(true);
    // The scenario holds: every task failed in the same millisecond.
    expect(new Set(requests.map((list) => list[0]?.at)).size).toBe(1);
    const retriesAt = requests.map((list) => list[1]?.at ?? Number.NaN);
    // 100 uniform draws over [0, 1 s) fall on some 95 distinct ms; retries at once, or after one fixed delay, on one.
    expect(new Set(retriesAt).size).toBeGreaterThanOrEqual(count / 2);
    expect(Math.max(...retriesAt) - Math.min(...retriesAt)).toBeGreaterThanOrEqual(retry.base / 2);

    const waits = requests.map((list) => gaps(list));
    for (let index = 0; index < failures; index += 1) {
      const nth = waits.map((list) => list[index] ?? Number.NaN);
      for (const wait of nth) expect(wait).toBeLessThan(ceiling(index, retry) + slack);
      // Full jitter averages half the ceiling: 500, 1000 and 2000 ms here, each within a quarter of it over 100 draws.
      const mean = nth.reduce((sum, wait) => sum + wait, 0) / count;
      expect(mean).toBeGreaterThan(ceiling(index, retry) / 4);
      expect(mean).toBeLessThan((3 * ceiling(index, retry)) / 4);
    }
  });
});
