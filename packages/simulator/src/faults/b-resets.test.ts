import { describe, expect, it } from 'vitest';
import type { NetworkEvent } from '../network/sim-network-types.js';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import type { World } from '../world/world-types.js';
import { download, eventsOf, faultWorld, hostname, origin, requestsTo, runUntilEnded, sameBytes } from './b-fault-world.test-helpers.js';

// Faults B12 and B13 on the virtual clock: connection resets before any response byte, after the
// headers, and after a POST's body went out.
const latency = 50;
const hour = 60 * 60 * 1000;
const content = generatedContent({ seed: 12, length: 256 * 1024 });
const warm = generatedContent({ seed: 13, length: 1024 });

/** The requests the network carried for `path`, with their connection and whether it was reused. */
function wireRequests(world: World, path: string): Extract<NetworkEvent, { type: 'request' }>[] {
  return world.network.trace.filter((event): event is Extract<NetworkEvent, { type: 'request' }> => event.type === 'request' && event.url === `${origin}${path}`);
}

describe('B12 a reset on a reused connection before any response byte', () => {
  it.each([
    { name: 'the server resets the request', serverIdleTimeout: 5_000, idleFor: 0, seen: 1 },
    { name: 'the server had closed the idle connection', serverIdleTimeout: 1_000, idleFor: 2_000, seen: 0 },
  ])('#10 $name: retried at once on a fresh connection, and no attempt spent', async ({ serverIdleTimeout, idleFor, seen }) => {
    // One attempt allowed: a retry that counted would end the task. A long base: a backoff would show.
    const { world, server, session, events } = await faultWorld(
      { seed: 12, host: { latency, serverIdleTimeout }, configuration: { maxConnectionsPerHost: 1, retry: { base: 60_000, cap: 600_000, maxAttempts: 1 } } },
      (server) => {
        server.file('/warm', { content: warm });
        server.file('/b12', seen === 1 ? { content, script: faultsByAttempt({ 1: { type: 'reset' } }) } : { content });
      },
    );
    const first = await download(session, '/warm');
    expect((await runUntilEnded(world, [first], hour))[0]?.phase).toBe('succeeded');
    await world.advance(idleFor);
    const started = world.clock.monotonic();
    const task = await download(session, '/b12');
    const [outcome] = await runUntilEnded(world, [task], hour);

    const [warmRequest] = wireRequests(world, '/warm');
    const [reset, retry] = wireRequests(world, '/b12');
    // The scenario holds: the first request went out on the kept-alive connection.
    expect(reset).toMatchObject({ reused: true, connection: warmRequest?.connection });
    expect(requestsTo(server, '/b12').map((request) => request.outcome)).toEqual([...(seen === 1 ? ['reset'] : []), 'complete']);
    // The retry opened a new connection and went out at once: a TLS handshake later, not a backoff.
    expect(retry).toMatchObject({ reused: false });
    expect(retry?.connection).not.toBe(warmRequest?.connection);
    expect((retry?.at ?? Infinity) - started).toBeLessThanOrEqual(4 * latency);
    expect([outcome?.phase, outcome?.error?.code ?? null]).toEqual(['succeeded', null]);
    expect(sameBytes(world.disk.readFile('/downloads/b12'), content)).toBe(true);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['downloadDidFinish'], ['taskDidComplete', null, null]]);
  });
});

describe('B12 a reset after the headers', () => {
  const kept = 64 * 1024;

  it.each([
    { maxAttempts: 2, phase: 'succeeded', code: null },
    { maxAttempts: 1, phase: 'failed', code: 'IncompleteBody' },
  ])('#7 #10 is a counted retry that resumes by Range (maxAttempts $maxAttempts: $phase)', async ({ maxAttempts, phase, code }) => {
    const { world, server, session } = await faultWorld({ seed: 14, host: { latency, bandwidth: 1024 * 1024 }, configuration: { retry: { base: 100, cap: 1_000, maxAttempts } } }, (server) =>
      server.file('/b12', { content }),
    );
    world.network.injectFault(hostname, { type: 'drop', afterBytes: kept });
    const task = await download(session, '/b12');
    const [outcome] = await runUntilEnded(world, [task], hour);
    const requests = requestsTo(server, '/b12');
    expect([outcome?.phase, outcome?.error?.code ?? null]).toEqual([phase, code]);
    expect(requests[0]).toMatchObject({ status: 200, outcome: 'dropped', bytesSent: kept });
    if (phase === 'failed') {
      // The reset spent the only attempt: nothing more was asked.
      expect(requests).toHaveLength(1);
      return;
    }
    expect(requests.map((request) => [request.status, request.headers['range'] ?? null, request.headers['if-range'] ?? null])).toEqual([
      [200, null, null],
      [206, `bytes=${kept}-`, `"${content.tag}"`],
    ]);
    expect(requests[1]?.bytesSent).toBe(content.length - kept);
    expect(sameBytes(world.disk.readFile('/downloads/b12'), content)).toBe(true);
    expect(world.violations({ settled: true })).toEqual([]);
  });
});

describe('B13 a POST reset after its body was sent', () => {
  const body = generatedContent({ seed: 15, length: 4096 }).read(0, 4096);

  it.each([
    ['a data task', 'data'],
    ['an upload', 'upload'],
  ] as const)('#13 %s is not retried: it fails, and the server saw it once', async (_name, kind) => {
    const { world, server, session, events } = await faultWorld({ seed: 15, configuration: { retry: { base: 10, cap: 100 } } }, (server) =>
      server.upload('/b13', { script: () => ({ type: 'reset', afterRequestBody: true }) }),
    );
    const input = { url: `${origin}/b13`, method: 'POST', body };
    const task = kind === 'data' ? await session.data(input) : await session.upload(input);
    const [outcome] = await runUntilEnded(world, [task], hour);
    await world.runUntilIdle({ limit: hour });
    expect([outcome?.phase, outcome?.error?.code]).toEqual(['failed', 'ConnectionFailed']);
    expect(server.requests.map((request) => [request.method, request.bodyLength, request.outcome])).toEqual([['POST', body.length, 'reset']]);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'ConnectionFailed', null]]);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it.each([
    ['a data task', 'data'],
    ['an upload', 'upload'],
  ] as const)('#13 %s marked idempotent is retried, and the server gets the whole body again', async (_name, kind) => {
    const { world, server, session } = await faultWorld({ seed: 16, configuration: { retry: { base: 10, cap: 100 } } }, (server) =>
      server.upload('/b13', { status: 200, body: 'done', script: faultsByAttempt({ 1: { type: 'reset', afterRequestBody: true } }) }),
    );
    const input = { url: `${origin}/b13`, method: 'POST', body, idempotent: true };
    const task = kind === 'data' ? await session.data(input) : await session.upload(input);
    const [outcome] = await runUntilEnded(world, [task], hour);
    expect([outcome?.phase, outcome?.error?.code ?? null]).toEqual(['succeeded', null]);
    expect(server.requests.map((request) => [request.method, request.bodyLength, request.outcome])).toEqual([
      ['POST', body.length, 'reset'],
      ['POST', body.length, 'complete'],
    ]);
    expect(server.requests[1]?.body).toEqual(body);
  });
});
