import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHttpDate } from '../servers/http-date-format.js';
import { generatedContent } from '../servers/generated-content.js';
import type { RouteScript } from '../servers/route-script.js';
import { download, faultWorld, gaps, requestsTo, runUntilEnded, sameBytes } from './b-fault-world.test-helpers.js';

// Fault B10 on the virtual clock: a 503 or 429 carrying Retry-After. The wait is read on the
// server's log, from the throttled request's arrival to the next one's. It is at least what the
// header asked (capped at retry.cap), and at most that plus the exchange's own round trips.
const latency = 50;
// Half a round trip back, the body, a new TLS connection (two round trips) and half a round trip out.
const overhead = 4 * latency;
const hour = 60 * 60 * 1000;
const content = generatedContent({ seed: 10, length: 32 * 1024 });

/** The first request gets `status` with `headers` (computed from the server's clock); the next ones the file. */
function throttledOnce(status: number, headers: (now: number) => Record<string, string>): RouteScript {
  return (_request, attempt, context) => (attempt === 1 ? { type: 'status', status, headers: headers(context.now) } : undefined);
}

/** Downloads one file whose first answer is throttled; returns the wait the server saw and how the task ended. */
async function throttledDownload(script: RouteScript, retry: { readonly base: number; readonly cap: number }, seed = 10) {
  const { world, server, session } = await faultWorld({ seed, host: { latency }, configuration: { retry } }, (server) => server.file('/f.bin', { content, script }));
  const task = await download(session, '/f.bin');
  const [outcome] = await runUntilEnded(world, [task], 30 * 24 * hour);
  const requests = requestsTo(server, '/f.bin');
  return { world, outcome, requests, wait: gaps(requests)[0] ?? Number.NaN, file: world.disk.readFile('/downloads/f.bin') };
}

describe('B10 Retry-After', () => {
  it.each([
    { name: '503, 120 seconds under the default 10 min cap', status: 503, value: () => '120', cap: 600_000, due: 120_000 },
    { name: '429, 120 seconds under a 30 s cap', status: 429, value: () => '120', cap: 30_000, due: 30_000 },
    { name: '503, 10^9 seconds under the default cap', status: 503, value: () => '1000000000', cap: 600_000, due: 600_000 },
    { name: '429, 10^9 seconds under a 1 h cap', status: 429, value: () => '1000000000', cap: hour, due: hour },
    { name: '503, an HTTP date 90 s after the response Date', status: 503, value: (now: number) => formatHttpDate(now + 90_000), cap: 600_000, due: 90_000 },
    { name: '429, an HTTP date 10 min after the Date, over a 2 min cap', status: 429, value: (now: number) => formatHttpDate(now + 600_000), cap: 120_000, due: 120_000 },
  ])('#10 $name: the next request waits at least that long, capped at retry.cap, and no longer', async ({ status, value, cap, due }) => {
    const { world, outcome, requests, wait, file } = await throttledDownload(
      throttledOnce(status, (now) => ({ 'retry-after': value(now) })),
      { base: 1000, cap },
    );
    expect(requests.map((request) => request.status)).toEqual([status, 200]);
    expect(wait).toBeGreaterThanOrEqual(due);
    expect(wait).toBeLessThanOrEqual(due + overhead);
    expect(outcome?.phase).toBe('succeeded');
    expect(sameBytes(file, content)).toBe(true);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it("#10 an HTTP date is read against the response's own Date: a server clock 30 years behind still gets its 90 s", async () => {
    const date = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
    // Read against the client's clock, this date is decades past: a retry at once, within the base.
    const { requests, wait, outcome } = await throttledDownload(
      throttledOnce(503, () => ({ date: formatHttpDate(date), 'retry-after': formatHttpDate(date + 90_000) })),
      { base: 1000, cap: 600_000 },
    );
    expect(requests.map((request) => request.status)).toEqual([503, 200]);
    expect(wait).toBeGreaterThanOrEqual(90_000);
    expect(wait).toBeLessThanOrEqual(90_000 + overhead);
    expect(outcome?.phase).toBe('succeeded');
  });

  it.each(['soon, maybe', '12 seconds', '1.5', '0x78', 'Mon, 99 Foo 1994 25:61:61 GMT', ''])(
    '#10 garbage (%j) is ignored: the ordinary backoff applies, not a wait anywhere near the cap',
    async (garbage) => {
      const base = 2000;
      const { requests, wait, outcome } = await throttledDownload(throttledOnce(503, () => ({ 'retry-after': garbage })), { base, cap: 600_000 });
      expect(requests.map((request) => [request.status, request.headers['range'] ?? null])).toEqual([
        [503, null],
        [200, null],
      ]);
      // The first backoff draws from [0, base): garbage read as a number or a date would wait longer, or fail.
      expect(wait).toBeLessThan(base + overhead);
      expect(outcome?.phase).toBe('succeeded');
    },
  );

  it('#10 any Retry-After in seconds, any cap: the wait lies between the value (capped) and the larger of it and the first backoff (capped), plus the round trips', async () => {
    const base = 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(429, 503),
        fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 1_000_000_000 })),
        fc.integer({ min: 1_000, max: 2 * hour }),
        async (seed, status, seconds, cap) => {
          const { world, wait, outcome } = await throttledDownload(throttledOnce(status, () => ({ 'retry-after': String(seconds) })), { base, cap }, seed);
          const asked = Math.min(seconds * 1000, cap);
          expect(outcome?.phase).toBe('succeeded');
          expect(wait).toBeGreaterThanOrEqual(asked);
          expect(wait).toBeLessThanOrEqual(Math.min(cap, Math.max(seconds * 1000, base)) + overhead);
          expect(world.violations({ settled: true })).toEqual([]);
        },
      ),
      { numRuns: Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 25) },
    );
  });
});
