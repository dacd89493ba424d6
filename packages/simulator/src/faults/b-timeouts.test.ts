import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import { download, eventsOf, faultWorld, gaps, requestsTo, runUntilEnded, sameBytes } from './b-fault-world.test-helpers.js';

// Fault B15 on the virtual clock: silence fails an attempt (retried, resumed); the resource
// deadline ends the task as timedOut exactly once, counting the time no process ran.
const latency = 50;
const minute = 60 * 1000;
const hour = 60 * minute;
const content = generatedContent({ seed: 15, length: 256 * 1024 });

describe('B15 idle timeout', () => {
  const idle = 30_000;

  it.each([
    { name: 'a body that stops after 64 KiB', fault: { type: 'stall', afterBytes: 64 * 1024 } as const, range: `bytes=${64 * 1024}-` },
    { name: 'a server that never answers', fault: { type: 'hang' } as const, range: null },
  ])('#11 $name: the silence fails the attempt after timeoutForRequest, and the retry resumes from the kept bytes', async ({ fault, range }) => {
    const { world, server, session, events } = await faultWorld(
      { seed: 15, host: { latency, bandwidth: 1024 * 1024 }, configuration: { timeoutForRequest: idle, retry: { base: 100, cap: 1_000 } } },
      (server) => server.file('/idle.bin', { content, script: faultsByAttempt({ 1: fault }) }),
    );
    const task = await download(session, '/idle.bin');
    const [outcome] = await runUntilEnded(world, [task], hour);
    const requests = requestsTo(server, '/idle.bin');
    expect([outcome?.phase, outcome?.error?.code ?? null]).toEqual(['succeeded', null]);
    expect(requests.map((request) => request.headers['range'] ?? null)).toEqual([null, range]);
    expect(requests[0]?.outcome).toBe('aborted');
    // Silence for the whole idle timeout, then a backoff under a second and a new connection: no sooner, no later.
    const [wait] = gaps(requests);
    expect(wait).toBeGreaterThanOrEqual(idle);
    expect(wait).toBeLessThanOrEqual(idle + 1_000 + 4 * latency + 100);
    expect(sameBytes(world.disk.readFile('/downloads/idle.bin'), content)).toBe(true);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['downloadDidFinish'], ['taskDidComplete', null, null]]);
    expect(world.violations({ settled: true })).toEqual([]);
  });
});

describe('B15 resource timeout', () => {
  it('#11 the deadline ends a retrying task as timedOut exactly once, and nothing is asked after it', async () => {
    const timeout = 10 * minute;
    const { world, server, session, events } = await faultWorld({ seed: 16, host: { latency }, configuration: { retry: { base: 1_000, cap: 20_000 } } }, (server) =>
      server.file('/busy.bin', { content, script: () => ({ type: 'status', status: 503 }) }),
    );
    const created = world.clock.monotonic();
    const task = await download(session, '/busy.bin', { timeoutForResource: timeout });
    const [outcome] = await runUntilEnded(world, [task], hour);
    const endedAt = world.clock.monotonic();
    await world.runUntilIdle({ limit: 24 * hour });

    expect([outcome?.phase, outcome?.error?.code]).toEqual(['timedOut', 'ResourceTimeout']);
    expect(endedAt - created).toBeGreaterThanOrEqual(timeout);
    expect(endedAt - created).toBeLessThanOrEqual(timeout + latency);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'ResourceTimeout', null]]);
    const requests = requestsTo(server, '/busy.bin');
    // It kept retrying until the deadline, and not once after it.
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((request) => request.at > created + timeout)).toEqual([]);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it.each([
    { name: 'killed', stop: 'kill' },
    { name: 'suspended', stop: 'suspend' },
  ] as const)('#11 the deadline counts the time the host was $name: the task ends timedOut once, when it runs again, with no new request', async ({ stop }) => {
    const timeout = 10 * minute;
    const { world, server, session, events } = await faultWorld({ seed: 17, host: { latency }, configuration: { timeoutForRequest: 2 * minute } }, (server) =>
      server.file('/silent.bin', { content, script: () => ({ type: 'hang' }) }),
    );
    const created = world.clock.monotonic();
    const task = await download(session, '/silent.bin', { timeoutForResource: timeout });
    await world.advance(3 * minute);
    const askedBefore = requestsTo(server, '/silent.bin').length;
    if (stop === 'kill') world.kill();
    else world.suspend();
    // The deadline falls while nothing runs.
    await world.advance(hour);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([]);
    const back = world.clock.monotonic();
    if (stop === 'kill') await world.relaunch();
    else world.resume();
    await world.runUntilIdle({ limit: hour, until: () => events.length > 0 });
    const toldAt = world.clock.monotonic();
    await world.runUntilIdle({ limit: 24 * hour });

    expect(back - created).toBeGreaterThan(timeout);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'ResourceTimeout', null]]);
    expect(events[0]?.type === 'taskDidComplete' ? events[0].task.phase : null).toBe('timedOut');
    expect(toldAt - back).toBeLessThanOrEqual(latency);
    expect(askedBefore).toBeGreaterThan(0);
    expect(requestsTo(server, '/silent.bin')).toHaveLength(askedBefore);
    expect(world.session('app')?.tasks()).toEqual([]);
    expect(world.violations({ settled: true })).toEqual([]);
  });
});
