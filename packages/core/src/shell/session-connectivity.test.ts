import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryConnectivity, createMemoryHost, createScriptedTransport, createSeededRandom, serveBytes, type MemoryHost, type ScriptEntry } from '@bgsession/testing';
import type { Connectivity, NetworkState } from '../ports/connectivity.js';
import { createMemoryByteStore } from '../stores/memory-byte-store.js';
import { createMemoryByteStoreData } from '../stores/memory-byte-store-data.js';
import { createMemoryStore, createMemoryStoreData } from '../stores/memory-store.js';
import { createSession } from './create-session.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const content = testContent(128 * 1024);
const url = 'https://files.example/big.bin';
const minute = 60_000;

/** A transport whose every attempt is timestamped on the host's clock. */
function timedTransport(script: readonly ScriptEntry[], host: () => MemoryHost) {
  const startedAt: number[] = [];
  const transport = createScriptedTransport(
    script.map((entry): ScriptEntry => (request, attempt) => {
      startedAt.push(host().clock.now());
      return typeof entry === 'function' ? entry(request, attempt) : entry;
    }),
  );
  return { transport, startedAt };
}

describe('connectivity', () => {
  it('offline: one taskIsWaitingForConnectivity, no attempt while offline, and it runs when online without spending an attempt', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 51 });
    host.connectivity.set({ online: false });
    const log = eventLog();
    const session = await host.open({ identifier: 'offline', retry: { maxAttempts: 1 } }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await host.clock.advanceAsync(10 * minute);
    // Another change that leaves the network offline is the same wait.
    host.connectivity.set({ expensive: true });
    await host.clock.advanceAsync(10 * minute);

    expect(transport.requests).toHaveLength(0);
    expect(task.info()).toMatchObject({ state: 'running', phase: 'scheduled', reason: 'connectivity' });
    const waits = log.transient.filter((e) => e.type === 'taskIsWaitingForConnectivity');
    expect(waits).toHaveLength(1);
    expect(waits[0]!.type === 'taskIsWaitingForConnectivity' && waits[0]!.task.taskIdentifier).toBe(task.taskIdentifier);

    host.connectivity.set({ online: true, expensive: false });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });

  it('going offline mid-transfer stops the attempt without spending it, and the download resumes from its bytes when online', async () => {
    let host: MemoryHost | null = null;
    const transport = createScriptedTransport([
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024, hangAfter: 64 * 1024 }),
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024 }),
    ]);
    host = createMemoryHost({ transport, seed: 52 });
    const log = eventLog();
    const session = await host.open({ identifier: 'offline-mid', checkpointBytes: 16 * 1024, retry: { maxAttempts: 1 } }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 64 * 1024);

    host.connectivity.set({ online: false });
    await host.clock.advanceAsync(5 * minute);
    expect(transport.requests[0]!.aborted).toBe(true);
    expect(transport.requests).toHaveLength(1);
    expect(task.info()).toMatchObject({ phase: 'scheduled', reason: 'connectivity' });
    expect(log.transient.filter((e) => e.type === 'taskIsWaitingForConnectivity')).toHaveLength(1);

    host.connectivity.set({ online: true });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(rangeStart(transport.requests[1]!.headers)).toBe(64 * 1024);
    await session.close();
  });

  it('a task that may not use an expensive network waits on one, and runs when the network is cheap again', async () => {
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
    const host = createMemoryHost({ transport, seed: 53 });
    host.connectivity.set({ expensive: true });
    const log = eventLog();
    const session = await host.open({ identifier: 'expensive' }, { listener: recordingListener(log) });
    const task = await session.download({ url, allowsExpensiveNetwork: false });
    const other = await session.data({ url: 'https://api.example/ping' });
    await runUntil(host, () => completions(log, other.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * minute);
    expect(transport.requests.map((r) => r.url)).toEqual(['https://api.example/ping']);
    expect(task.info()).toMatchObject({ phase: 'scheduled', reason: 'constraints' });
    host.connectivity.set({ expensive: false });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(transport.requests.map((r) => r.url)).toEqual(['https://api.example/ping', url]);
    await session.close();
  });

  it('a task waiting offline that comes online on a network it does not allow says it now waits for constraints, and is told of connectivity once', async () => {
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
    const host = createMemoryHost({ transport, seed: 54 });
    host.connectivity.set({ online: false });
    const log = eventLog();
    const session = await host.open({ identifier: 'reason-changes' }, { listener: recordingListener(log) });
    const task = await session.download({ url, allowsExpensiveNetwork: false });
    await host.clock.advanceAsync(minute);
    expect(task.info()).toMatchObject({ phase: 'scheduled', reason: 'connectivity' });
    host.connectivity.set({ online: true, expensive: true });
    await host.clock.advanceAsync(minute);
    expect(task.info()).toMatchObject({ phase: 'scheduled', reason: 'constraints' });
    host.connectivity.set({ online: false });
    await host.clock.advanceAsync(minute);
    expect(task.info().reason).toBe('connectivity');
    expect(log.transient.filter((event) => event.type === 'taskIsWaitingForConnectivity')).toHaveLength(1);
    expect(transport.requests).toHaveLength(0);
    await session.close();
  });
});

describe('retries and Retry-After', () => {
  it('503 with Retry-After: 120 starts the next attempt no sooner than 120 s later', async () => {
    let host: MemoryHost | null = null;
    const { transport, startedAt } = timedTransport(
      [{ type: 'respond', status: 503, headers: { 'retry-after': '120' }, body: 'busy' }, serveBytes(content, { etag: '"v1"' })],
      () => host!,
    );
    host = createMemoryHost({ transport, seed: 54 });
    const log = eventLog();
    const session = await host.open({ identifier: 'retry-after' }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await runUntil(host, () => transport.requests.length === 1);
    await host.clock.advanceAsync(119_000);
    expect(transport.requests).toHaveLength(1);
    expect(task.info().phase).toBe('backingOff');
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 1000, 30);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(120_000);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await session.close();
  });

  it('a Retry-After date is read relative to the Date header', async () => {
    let host: MemoryHost | null = null;
    const headers = { date: 'Tue, 14 Nov 2023 22:00:00 GMT', 'retry-after': 'Tue, 14 Nov 2023 22:05:00 GMT' };
    const { transport, startedAt } = timedTransport([{ type: 'respond', status: 503, headers }, { type: 'respond', status: 200, body: 'ok' }], () => host!);
    host = createMemoryHost({ transport, seed: 55 });
    const log = eventLog();
    const session = await host.open({ identifier: 'retry-after-date' }, { listener: recordingListener(log) });
    const task = await session.data({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 10_000, 60);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(5 * minute);
    expect(startedAt[1]! - startedAt[0]!).toBeLessThan(6 * minute);
    await session.close();
  });

  it('a Retry-After beyond retry.cap is honoured only up to the cap', async () => {
    let host: MemoryHost | null = null;
    const { transport, startedAt } = timedTransport([{ type: 'respond', status: 429, headers: { 'retry-after': '86400' } }, { type: 'respond', status: 200 }], () => host!);
    host = createMemoryHost({ transport, seed: 56 });
    const log = eventLog();
    const session = await host.open({ identifier: 'retry-after-cap', retry: { cap: minute } }, { listener: recordingListener(log) });
    const task = await session.data({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 10_000, 30);
    expect(startedAt[1]! - startedAt[0]!).toBeLessThanOrEqual(minute + 1000);
    await session.close();
  });

  it('retry.maxAttempts ends the task with the last error once the attempts are spent', async () => {
    const transport = createScriptedTransport(() => ({ type: 'fail', code: 'ConnectionFailed' }));
    const host = createMemoryHost({ transport, seed: 57 });
    const log = eventLog();
    const session = await host.open({ identifier: 'max-attempts', retry: { maxAttempts: 3, base: 100, cap: 1000 } }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * minute);
    expect(transport.requests).toHaveLength(3);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ConnectionFailed');
    await session.close();
  });
});

describe('timeouts', () => {
  it('the resource timeout counts the time the host was dead, and ends the task timedOut exactly once', async () => {
    const transport = createScriptedTransport(() => ({ type: 'hang' }));
    const host = createMemoryHost({ transport, seed: 58 });
    const first = await host.open({ identifier: 'resource-timeout', timeoutForRequest: 10 * minute });
    const task = await first.download({ url, timeoutForResource: 5 * minute });
    await runUntil(host, () => transport.requests.length === 1);
    await host.clock.advanceAsync(minute);
    await host.kill();
    // The host is dead past the deadline: nothing runs, but the wall clock moves on.
    await host.clock.advanceAsync(10 * minute);

    const log = eventLog();
    const second = await host.open({ identifier: 'resource-timeout', timeoutForRequest: 10 * minute }, { listener: recordingListener(log) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * minute);
    const all = completions(log, task.taskIdentifier);
    expect(all).toHaveLength(1);
    expect(all[0]!.error?.code).toBe('ResourceTimeout');
    expect(all[0]!.task.phase).toBe('timedOut');
    expect(transport.requests).toHaveLength(1);
    await second.close();
  });

  it('the resource timeout ends a task in flight, and no progress event follows', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024, hangAfter: 32 * 1024 })]);
    const host = createMemoryHost({ transport, seed: 59 });
    const log = eventLog();
    const session = await host.open({ identifier: 'resource-timeout-live', timeoutForRequest: 10 * minute }, { listener: recordingListener(log) });
    const task = await session.download({ url, timeoutForResource: 2 * minute });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * minute);
    expect(completions(log, task.taskIdentifier)).toHaveLength(1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ResourceTimeout');
    expect(log.order.at(-1)).toBe(`taskDidComplete:${task.taskIdentifier}`);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.aborted).toBe(true);
    // The bytes belong to the resume data the error carries, until the app uses or discards it.
    const resumeData = completions(log, task.taskIdentifier)[0]!.error?.resumeData;
    expect(typeof resumeData).toBe('string');
    expect([...host.byteData.entries.keys()]).toEqual(['part-1']);
    await session.discardResumeData(resumeData as string);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('an attempt silent for timeoutForRequest fails as IdleTimeout and is retried', async () => {
    let host: MemoryHost | null = null;
    const { transport, startedAt } = timedTransport([{ type: 'hang' }, serveBytes(content, { etag: '"v1"' })], () => host!);
    host = createMemoryHost({ transport, seed: 60 });
    const log = eventLog();
    const session = await host.open({ identifier: 'idle', timeoutForRequest: 30_000 }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(transport.requests).toHaveLength(2);
    expect(transport.requests[0]!.aborted).toBe(true);
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(30_000);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await session.close();
  });

  it('a body that stalls mid-way times out and the retry resumes from the kept bytes', async () => {
    const transport = createScriptedTransport([
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024, hangAfter: 48 * 1024 }),
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024 }),
    ]);
    const host = createMemoryHost({ transport, seed: 61 });
    const log = eventLog();
    const session = await host.open({ identifier: 'idle-body', timeoutForRequest: 20_000, checkpointBytes: 16 * 1024 }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(rangeStart(transport.requests[1]!.headers)).toBe(48 * 1024);
    expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
    await session.close();
  });
});

describe('earliestBeginDate', () => {
  it('no attempt starts before earliestBeginDate, across a relaunch', async () => {
    let host: MemoryHost | null = null;
    const { transport, startedAt } = timedTransport([serveBytes(content, { etag: '"v1"' })], () => host!);
    host = createMemoryHost({ transport, seed: 62 });
    const begin = host.clock.now() + 60 * minute;
    const first = await host.open({ identifier: 'begin' });
    const task = await first.download({ url, earliestBeginDate: new Date(begin) });
    expect(task.info()).toMatchObject({ state: 'running', phase: 'scheduled', reason: 'earliestBegin' });
    await host.clock.advanceAsync(20 * minute);
    await host.kill();
    await host.clock.advanceAsync(20 * minute);

    const log = eventLog();
    const second = await host.open({ identifier: 'begin' }, { listener: recordingListener(log) });
    await host.clock.advanceAsync(19 * minute);
    expect(transport.requests).toHaveLength(0);
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 10_000, 30);
    expect(startedAt[0]).toBeGreaterThanOrEqual(begin);
    await second.close();
  });

  it('an earliestBeginDate in the past starts at once', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 200 }]);
    const host = createMemoryHost({ transport, seed: 63 });
    const log = eventLog();
    const session = await host.open({ identifier: 'begin-past' }, { listener: recordingListener(log) });
    const task = await session.data({ url, earliestBeginDate: host.clock.now() - minute });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 10, 50);
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});

describe('a Connectivity whose change events lag behind current()', () => {
  it('#15 an attempt refused for a network the port has not announced yet waits for constraints, instead of being granted its slot back forever', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    let state: NetworkState = { online: true, expensive: false, constrained: false };
    const listeners = new Set<(network: NetworkState) => void>();
    // As a browser's may: the state changes first, the event comes later (here: when the test says).
    const lagging: Connectivity = { current: () => state, subscribe: (listener) => (listeners.add(listener), () => void listeners.delete(listener)) };
    const clock = createManualClock();
    const session = await createSession({
      ports: { store: createMemoryStore(), byteStore: createMemoryByteStore(), transport, clock, random: createSeededRandom(53), connectivity: lagging },
      configuration: { identifier: 'lagging' },
    });
    // The network turns expensive with no event yet: the scheduler, which knows only what was
    // announced, grants the slot, and the attempt's own look at the network refuses it.
    state = { ...state, expensive: true };
    const task = await session.download({ url, allowsExpensiveNetwork: false });
    await clock.advanceAsync(minute);
    expect(transport.requests).toHaveLength(0);
    expect(task.info()).toMatchObject({ state: 'running', phase: 'scheduled', reason: 'constraints' });

    state = { ...state, expensive: false };
    for (const listener of listeners) listener(state);
    await runUntil({ clock }, () => task.info().state === 'completed');
    expect(task.info().phase).toBe('succeeded');
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});

describe('what a waiting task says it waits for', () => {
  it('#15 a task that waited offline and finds every slot taken when the network returns says it waits for a slot, not for connectivity', async () => {
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"', hangAfter: 16 * 1024 }));
    const host = createMemoryHost({ transport, seed: 55 });
    host.connectivity.set({ online: false });
    const session = await host.open({ identifier: 'slot-reason', maxConcurrentTasks: 1 });
    const first = await session.download({ url: `${url}?first` });
    const second = await session.download({ url: `${url}?second` });
    await host.clock.advanceAsync(minute);
    expect(second.info()).toMatchObject({ phase: 'scheduled', reason: 'connectivity' });

    host.connectivity.set({ online: true });
    await runUntil(host, () => transport.requests.length === 1);
    await host.clock.advanceAsync(1000);
    expect(first.info()).toMatchObject({ phase: 'transferring' });
    expect(second.info()).toMatchObject({ phase: 'scheduled', reason: 'slot' });

    // Offline again: a new wait, told again.
    host.connectivity.set({ online: false });
    await host.clock.advanceAsync(1000);
    expect(second.info()).toMatchObject({ phase: 'scheduled', reason: 'connectivity' });
    await session.close();
  });
});

describe('a network change while the session is opening', () => {
  it('#15 the network coming back while the open commit waits on the disk is heard: relaunched tasks run, instead of waiting for connectivity forever', async () => {
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
    const clock = createManualClock();
    const connectivity = createMemoryConnectivity({ online: false });
    const data = createMemoryStoreData();
    const byteData = createMemoryByteStoreData();
    const ports = () => ({ byteStore: createMemoryByteStore({ data: byteData }), transport, clock, random: createSeededRandom(54), connectivity });
    const first = await createSession({ ports: { ...ports(), store: createMemoryStore({ data }) }, configuration: { identifier: 'opening' } });
    await first.download({ url });
    await first.close();

    // The relaunch's first commit waits (a full disk, a slow fsync); the network returns meanwhile.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inner = createMemoryStore({ data });
    let commits = 0;
    const slowStore: typeof inner = {
      ...inner,
      commit: async (batch) => {
        commits += 1;
        if (commits === 1) await held;
        return inner.commit(batch);
      },
    };
    const opening = createSession({ ports: { ...ports(), store: slowStore }, configuration: { identifier: 'opening' } });
    await clock.advanceAsync(1000);
    connectivity.set({ online: true });
    release();
    const session = await opening;
    const [task] = session.tasks();
    await runUntil({ clock }, () => task!.info().state === 'completed');
    expect(task!.info()).toMatchObject({ state: 'completed', phase: 'succeeded' });
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});
