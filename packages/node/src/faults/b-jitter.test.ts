import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { within } from '../host/range-server.test-helpers.js';
import { FaultSessions, startFaultServer, type FaultServer, type RecordedRequest, type Responder } from './fault-server.test-helpers.js';

// Fault B14 against the real Node adapter: 100 tasks that fail together must not come back
// together. Their retries are spread by full jitter (delay = random(0, min(cap, base * 2^n))).
const count = 100;
const base = 400;

let server: FaultServer;
let sessions: FaultSessions;

beforeEach(async () => {
  server = await startFaultServer();
  sessions = await FaultSessions.create();
});
afterEach(async () => {
  await sessions.dispose();
  await server.close();
});

describe('B14 jitter', () => {
  it(`#10 ${count} tasks failing in the same instant do not all retry in the same millisecond`, async () => {
    // Every first attempt is held until all of them arrived, then all get a 503 at once.
    let held = 0;
    let releaseAll = (): void => undefined;
    const allHeld = new Promise<void>((resolve) => (releaseAll = resolve));
    const fallback = setTimeout(releaseAll, 15_000);
    for (let index = 0; index < count; index += 1) {
      server.route(`/j${index}`, async (request: RecordedRequest, respond: Responder) => {
        if (request.pathIndex > 0) return respond.respond({ status: 200, body: 'ok' });
        held += 1;
        if (held === count) releaseAll();
        await allHeld;
        return respond.respond({ status: 503, body: 'busy' });
      });
    }
    const session = await sessions.open({ configuration: { maxConnectionsPerHost: count, maxConcurrentTasks: count, retry: { base, cap: base } } });
    const tasks = [];
    for (let index = 0; index < count; index += 1) tasks.push(await session.data({ url: server.url(`/j${index}`) }));
    const outcomes = await within(Promise.all(tasks.map((task) => task.outcome())), 30_000, 'every task');
    clearTimeout(fallback);
    expect(outcomes.every((outcome) => outcome.phase === 'succeeded')).toBe(true);

    const retries = Array.from({ length: count }, (_, index) => server.requestsTo(`/j${index}`)[1]?.at ?? Number.NaN);
    expect(retries.every((at) => Number.isFinite(at))).toBe(true);
    const distinctMilliseconds = new Set(retries.map((at) => Math.floor(at))).size;
    const spread = Math.max(...retries) - Math.min(...retries);
    // Uniform draws over [0, 400 ms): 100 of them span well over 100 ms (a busy machine only widens
    // the span, though it may batch arrivals into fewer distinct ms). Retries at once, or all after
    // the same fixed delay, span only the time the session takes to handle the 100 failures.
    expect(distinctMilliseconds).toBeGreaterThanOrEqual(5);
    expect(spread).toBeGreaterThanOrEqual(base / 4);
  });
});
