import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHost, createNodeTestHasher, createScriptedTransport, serveBytes, type MemoryHost, type ScriptedTransport } from '@bgsession/testing';
import {
  BgSessionError,
  createMemoryByteStore,
  createMemoryStore,
  createSession,
  type ByteStore,
  type EventItem,
  type HandOverResult,
  type MemoryByteStore,
  type MemoryStore,
  type Session,
  type SessionConfigurationInput,
  type SessionListener,
} from '../index.js';
import type { Destination } from '../model/task-types.js';
import { completions, eventLog, failureOf, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent } from './session-fixtures.test-helpers.js';

/*
 * A session that meets failing stores, hosts killed at awkward instants, iterators given up, and
 * apps that misbehave: it never crashes the host, never loses a finished transfer, and never
 * leaves a call hanging.
 */

const kib = 1024;
const content = testContent(64 * kib);
const url = 'https://files.example/big.bin';
const minute = 60_000;

/** A session opened on the host's data with ports the test shapes (a byte store that misbehaves). */
interface CustomOpen {
  readonly session: Session;
  readonly store: MemoryStore;
  readonly disk: MemoryByteStore;
  /** Kills this host like SIGKILL: store and byte store fenced, activity stopped. */
  kill(): Promise<void>;
}

async function openCustom(
  host: MemoryHost,
  transport: ScriptedTransport,
  configuration: SessionConfigurationInput,
  options: { listener?: SessionListener; unsyncedSurviveWriter?: boolean; wrap?: (disk: MemoryByteStore, store: MemoryStore) => ByteStore } = {},
): Promise<CustomOpen> {
  const store = createMemoryStore({ data: host.storeData });
  const disk = createMemoryByteStore({ data: host.byteData, ...(options.unsyncedSurviveWriter === undefined ? {} : { unsyncedSurviveWriter: options.unsyncedSurviveWriter }) });
  const session = await createSession({
    ports: { store, byteStore: options.wrap?.(disk, store) ?? disk, transport, clock: host.clock, random: host.random, connectivity: host.connectivity },
    configuration,
    hostOptions: options.listener === undefined ? {} : { listener: options.listener },
  });
  return {
    session,
    store,
    disk,
    async kill() {
      store.fence();
      disk.fence();
      await session.close();
    },
  };
}

/** Every text the store holds: the header and every record. */
function storedText(host: MemoryHost): string {
  return [host.storeData.header ?? '', ...[...host.storeData.records.values()].flatMap((records) => [...records.values()])].join('\n');
}

/** Collects unhandled rejections while a test runs. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Lets the event loop turn so that Node reports any rejection nobody handled. */
async function unhandledReported(host: MemoryHost): Promise<void> {
  await settle(host, 10);
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/**
 * What `call` gave once the host had a few turns: its rejection (or what it threw), `{ resolved }`,
 * or 'pending' for a call that never settles (a bounded wait, not a hang).
 */
async function settledOutcome(host: MemoryHost, call: () => unknown): Promise<unknown> {
  let outcome: unknown = 'pending';
  try {
    Promise.resolve(call()).then(
      (value) => (outcome = { resolved: value }),
      (error: unknown) => (outcome = error),
    );
  } catch (error) {
    return error;
  }
  await settle(host);
  return outcome;
}

describe('a store that fails', () => {
  async function runningDownload(seed: number) {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"', chunkSize: 8 * kib, hangAfter: 32 * kib })]);
    const host = createMemoryHost({ transport, seed });
    const session = await host.open({ identifier: `store-fails-${seed}`, checkpointBytes: 8 * kib });
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 8 * kib, 100);
    return { host, session, task };
  }

  async function expectEveryCallRejects(host: MemoryHost, session: Session, task: Awaited<ReturnType<typeof runningDownload>>['task']): Promise<void> {
    const calls: Array<() => unknown> = [
      () => task.suspend(),
      () => task.resume(),
      () => task.cancel(),
      () => task.cancelProducingResumeData(),
      () => task.outcome(),
      () => session.download({ url }),
      () => session.data({ url }),
      () => session.upload({ url, body: new Uint8Array(1) }),
      () => session.acknowledge('some-event'),
      () => session.credentialsChanged(),
      () => session.finishTasksAndInvalidate(),
      () => session.invalidateAndCancel(),
      () => session.invalidated(),
    ];
    for (const call of calls) expect(await settledOutcome(host, call)).toMatchObject({ code: 'StoreFailed' });
  }

  it('a checkpoint commit that fails mid-download: no unhandled rejection, and every later call rejects with StoreFailed', async () => {
    const { host, session, task } = await runningDownload(201);
    host.current!.store.failNextCommit();
    await host.clock.advanceAsync(5000);
    await unhandledReported(host);

    expect(unhandled).toEqual([]);
    await expectEveryCallRejects(host, session, task);
    await session.close();
  });

  it("a commit that fails when another task's attempt ends mid-download: no unhandled rejection, and every later call rejects with StoreFailed", async () => {
    const { host, session, task } = await runningDownload(202);
    const later = await session.download({ url: 'https://files.example/later.bin', earliestBeginDate: host.clock.now() + 10_000 });
    // The download is stalled. The later task's start is not written (an idempotent GET: ADR 16),
    // so the next commit is the end of its attempt (the script has no answer for it): no call of
    // the app waits for that one.
    await host.clock.advanceAsync(1000);
    host.current!.store.failNextCommit();
    await host.clock.advanceAsync(10_000);
    await unhandledReported(host);

    expect(unhandled).toEqual([]);
    expect(later.info().phase).toBe('connecting');
    await expectEveryCallRejects(host, session, task);
    await session.close();
  });
});

describe('credentials in the configuration', () => {
  it('#21 an Authorization in additionalHeaders is not sent after a redirect to another origin, and never reaches the store', async () => {
    const secret = 'Bearer SECRET-7f3a';
    const transport = createScriptedTransport([
      { type: 'respond', status: 302, headers: { location: 'https://cdn.elsewhere.example/big.bin' } },
      serveBytes(content, { etag: '"v1"' }),
    ]);
    const host = createMemoryHost({ transport, seed: 203 });
    const log = eventLog();
    const configuration = { identifier: 'additional-headers', additionalHeaders: { Authorization: secret, 'X-App': 'photos' } };
    const session = await host.open(configuration, { listener: recordingListener(log) });
    expect(storedText(host)).not.toContain('SECRET');
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);

    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(2);
    const headersOf = (index: number) => Object.fromEntries(Object.entries(transport.requests[index]!.headers).map(([name, value]) => [name.toLowerCase(), value]));
    expect(headersOf(0)['authorization']).toBe(secret);
    expect(headersOf(1)['authorization']).toBeUndefined();
    // Headers that are not credentials still follow the redirect.
    expect(headersOf(1)['x-app']).toBe('photos');
    expect(storedText(host)).not.toContain('SECRET');
    await session.close();
  });
});

describe('a host killed during the hand-over', () => {
  const cases: ReadonlyArray<{ readonly name: string; readonly destination: Destination | undefined }> = [
    { name: 'to a directory', destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' } },
    { name: 'in the store (no destination)', destination: undefined },
  ];
  for (const { name, destination } of cases) {
    it(`${name}: killed after the file moved but before that was committed, the relaunch finishes the task once, at the same location, without downloading again`, async () => {
      const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' }), serveBytes(content, { etag: '"v1"' })]);
      const host = createMemoryHost({ transport, seed: 204 });
      const configuration = { identifier: 'hand-over-kill' };
      let moved: HandOverResult | null = null;
      const first = await openCustom(host, transport, configuration, {
        listener: {},
        wrap: (disk, store) => ({
          ...disk,
          async handOver(key, request) {
            const result = await disk.handOver(key, request);
            moved = result;
            // The host dies here: nothing it does afterwards reaches the store.
            store.fence();
            disk.fence();
            return result;
          },
        }),
      });
      const task = await first.session.download({ url, ...(destination === undefined ? {} : { destination }) });
      await runUntil(host, () => moved !== null, 100);
      await first.session.close();
      const location = (moved as HandOverResult | null)!.location;

      const log = eventLog();
      const session = await host.open(configuration, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
      await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
      await host.clock.advanceAsync(10 * minute);

      const finishes = log.durable.filter((event) => event.type === 'downloadDidFinish');
      expect(finishes).toHaveLength(1);
      expect(finishes[0]).toMatchObject({ location, inStore: destination === undefined });
      expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
      expect(completions(log, task.taskIdentifier)).toHaveLength(1);
      expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
      expect(transport.requests).toHaveLength(1);
      // The session is not in a failed state.
      await expect(session.download({ url, resume: false })).resolves.toBeDefined();
      await session.close();
    });
  }
});

describe('data task bodies', () => {
  const body = testContent(20 * kib, 3);

  /** A data task on a byte store whose unsynced bytes die with their writer, finished but unacknowledged when the host dies. */
  async function finishedThenKilled(seed: number) {
    const transport = createScriptedTransport([
      { type: 'respond', status: 200, headers: { 'content-length': String(body.length), 'content-type': 'application/octet-stream' }, body, chunkSize: 4 * kib },
      serveBytes(content, { etag: '"v1"' }),
    ]);
    const host = createMemoryHost({ transport, seed });
    const configuration = { identifier: 'data-bodies' };
    let heard = 0;
    const first = await openCustom(host, transport, configuration, {
      unsyncedSurviveWriter: false,
      // The app never acknowledges: the host dies first.
      listener: { taskDidComplete: () => ((heard += 1), new Promise<void>(() => undefined)) },
    });
    const task = await first.session.data({ url: 'https://api.example/report' });
    await runUntil(host, () => heard === 1, 100);
    await first.kill();
    return { host, transport, configuration, task };
  }

  it('with unsyncedSurviveWriter: false, the taskDidComplete redelivered after a kill carries the whole body', async () => {
    const { host, transport, configuration, task } = await finishedThenKilled(205);
    const log = eventLog();
    const second = await openCustom(host, transport, configuration, { unsyncedSurviveWriter: false, listener: recordingListener(log) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);

    const [end] = completions(log, task.taskIdentifier);
    expect(end!.error).toBeNull();
    expect(end!.response?.status).toBe(200);
    expect(firstDifference(end!.response?.body, body)).toBe(-1);
    await second.session.close();
  });

  it('a response body lost from the store is delivered as taskDidComplete with CorruptRecord, and later events still arrive', async () => {
    const { host, transport, configuration, task } = await finishedThenKilled(206);
    host.byteData.entries.delete(`response-${task.taskIdentifier}`);
    const log = eventLog();
    const second = await openCustom(host, transport, configuration, { unsyncedSurviveWriter: false, listener: recordingListener(log) });
    const later = await second.session.download({ url });
    await runUntil(host, () => completions(log, later.taskIdentifier).length === 1, 100, 200);

    const [end] = completions(log, task.taskIdentifier);
    expect(end!.error?.code).toBe('CorruptRecord');
    expect(end!.response).toBeNull();
    expect(completions(log, later.taskIdentifier)[0]!.error).toBeNull();
    expect(log.durable.filter((event) => event.type === 'downloadDidFinish')).toHaveLength(1);
    await second.session.close();
  });
});

describe('the idle watchdog and kept bytes', () => {
  it('#11 a byte store slow to answer before the request goes out does not count as a silent connection', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' }), serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 207 });
    const log = eventLog();
    const { session } = await openCustom(host, transport, { identifier: 'slow-boot', timeoutForRequest: 1000 }, {
      listener: recordingListener(log),
      wrap: (disk) => ({ ...disk, bootIdentity: () => new Promise<string>((resolve) => host.clock.setTimer(3000, () => void disk.bootIdentity().then(resolve))) }),
    });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 500);

    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.aborted).toBe(false);
    await session.close();
  });

  it('#7 without integrity, a relaunch with kept bytes does not read them back before asking for the rest', async () => {
    const transport = createScriptedTransport([
      serveBytes(content, { etag: '"v1"', chunkSize: 8 * kib, hangAfter: 32 * kib }),
      serveBytes(content, { etag: '"v1"', chunkSize: 8 * kib }),
    ]);
    const host = createMemoryHost({ transport, seed: 208 });
    const configuration = { identifier: 'no-rehash', checkpointBytes: 8 * kib };
    const first = await host.open(configuration);
    const task = await first.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 32 * kib, 100);
    await host.kill();

    const reads: string[] = [];
    const log = eventLog();
    // Same ports as a memory host (a hasher included), with reads of the byte store counted.
    const store = createMemoryStore({ data: host.storeData });
    const disk = createMemoryByteStore({ data: host.byteData });
    const second = await createSession({
      ports: {
        store, transport, clock: host.clock, random: host.random, connectivity: host.connectivity, hasher: createNodeTestHasher(),
        byteStore: { ...disk, read: (key, offset) => (reads.push(key), disk.read(key, offset)) },
      },
      configuration,
      hostOptions: { listener: recordingListener(log) },
    });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);

    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(rangeStart(transport.requests[1]!.headers)).toBe(32 * kib);
    expect(reads.filter((key) => key.startsWith('part-'))).toEqual([]);
    await second.close();
  });
});

describe('the resource timeout of a task that never ran', () => {
  it('#11 a task created with resume: false and timeoutForResource: 10 s is timedOut with ResourceTimeout after 11 s', async () => {
    const transport = createScriptedTransport([]);
    const host = createMemoryHost({ transport, seed: 209 });
    const log = eventLog();
    const session = await host.open({ identifier: 'never-ran' }, { listener: recordingListener(log) });
    const task = await session.download({ url, resume: false, timeoutForResource: 10_000 });
    await host.clock.advanceAsync(11_000);

    expect(task.info()).toMatchObject({ state: 'completed', phase: 'timedOut' });
    expect(task.info().error?.code).toBe('ResourceTimeout');
    expect(completions(log, task.taskIdentifier)[0]?.error?.code).toBe('ResourceTimeout');
    expect(transport.requests).toHaveLength(0);
    await session.close();
  });
});

describe('session.events()', () => {
  /** The first durable item of an iterator, leaving the `for await` without acknowledging it (which ends the iterator). */
  async function firstDurable(iterator: AsyncIterableIterator<EventItem>): Promise<EventItem & { eventId: string }> {
    for await (const item of iterator) {
      if ('eventId' in item) return item;
    }
    throw new BgSessionError('InvalidArgument', 'the iterator ended before a durable event');
  }

  it('after a break before the acknowledgement, events() works again and delivers that same eventId first', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 200, headers: { 'content-length': '5' }, body: 'hello' }]);
    const host = createMemoryHost({ transport, seed: 210 });
    const session = await host.open({ identifier: 'iterator-again' });
    const task = await session.data({ url: 'https://api.example/hello' });
    let first: (EventItem & { eventId: string }) | null = null;
    void firstDurable(session.events()).then((item) => (first = item));
    await runUntil(host, () => first !== null, 100, 50);
    const given = first as (EventItem & { eventId: string }) | null;

    let again: (EventItem & { eventId: string }) | null = null;
    const reopened = session.events();
    void firstDurable(reopened).then((item) => (again = item));
    await runUntil(host, () => again !== null, 100, 50);
    const redelivered = again as (EventItem & { eventId: string }) | null;

    expect(redelivered!.eventId).toBe(given!.eventId);
    expect(redelivered).toMatchObject({ type: 'taskDidComplete', task: { taskIdentifier: task.taskIdentifier } });
    expect(await redelivered!.ack()).toEqual({ acknowledged: true });
    await runUntil(host, () => session.tasks().length === 0, 100, 50);
    await session.close();
  });
});

describe('promises and app callbacks', () => {
  it('outcome() and invalidated() still pending when close() is called reject with SessionClosed', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })), seed: 211 });
    const session = await host.open({ identifier: 'pending-at-close' });
    const task = await session.download({ url });
    const results: Record<string, unknown> = {};
    const record = (name: string, promise: Promise<unknown>) => void promise.then((value) => (results[name] = { resolved: value }), (error: unknown) => (results[name] = error));
    record('outcome', task.outcome());
    record('invalidated', session.invalidated());
    await settle(host);
    expect(results).toEqual({});

    await session.close();
    await settle(host);
    expect(results['outcome']).toMatchObject({ code: 'SessionClosed' });
    expect(results['invalidated']).toMatchObject({ code: 'SessionClosed' });
  });

  it('outcome() with a signal that is not an AbortSignal rejects with InvalidArgument', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 212 });
    const session = await host.open({ identifier: 'bad-signal' });
    const task = await session.download({ url, resume: false });
    await expect(task.outcome('not a signal' as never)).rejects.toMatchObject({ code: 'InvalidArgument' });
    await session.close();
  });

  it('outcome(signal) rejects once the signal aborts, with the signal\'s reason as the cause, and the task goes on', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 214 });
    const session = await host.open({ identifier: 'aborted-wait' });
    const task = await session.download({ url, resume: false });
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    const waiting = task.outcome(controller.signal);
    controller.abort(reason);
    const error = await waiting.then(() => null, (rejection: unknown) => rejection);
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'signal', cause: reason });
    await expect(task.outcome(controller.signal)).rejects.toMatchObject({ cause: reason });
    // Only the wait ended: the task was created with resume: false and is still there, not started.
    expect(task.info().phase).toBe('created');
    await session.close();
  });

  it('a listener whose async taskDidWriteData rejects causes no unhandled rejection, and the download completes', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"', chunkSize: 8 * kib })]);
    const host = createMemoryHost({ transport, seed: 213 });
    const log = eventLog();
    let calls = 0;
    const listener: SessionListener = {
      ...recordingListener(log),
      // An app whose progress handler is async and fails: typed as returning void, as apps write it.
      taskDidWriteData: (async () => {
        calls += 1;
        await Promise.resolve();
        throw new Error('the progress bar crashed');
      }) as () => void,
    };
    const session = await host.open({ identifier: 'async-progress', progressInterval: 1 }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    await unhandledReported(host);

    expect(calls).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await session.close();
  });
});

describe('a durable handler that throws', () => {
  it('is told through eventDeliveryFailed each time, with the error it threw and when the event comes again, and the event is acknowledged once it returns', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 214 });
    const failures: Array<Extract<EventItem, { type: 'eventDeliveryFailed' }>> = [];
    const handled: string[] = [];
    const broken = new Error('the database is down');
    let calls = 0;
    const listener: SessionListener = {
      taskDidComplete: (event) => {
        calls += 1;
        if (calls <= 2) throw broken;
        handled.push(event.eventId);
      },
      eventDeliveryFailed: (event) => {
        failures.push({ ...event, ack: async () => ({ acknowledged: false, reason: 'notDurable' }) });
        // A failure handler that fails too changes nothing.
        throw new Error('the logger is down');
      },
    };
    const session = await host.open({ identifier: 'throwing-handler' }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => handled.length === 1, 200);

    expect(failures).toHaveLength(2);
    const [first, second] = failures;
    expect(first).toMatchObject({ type: 'eventDeliveryFailed', eventType: 'taskDidComplete', taskIdentifier: task.taskIdentifier, error: broken, failures: 1 });
    expect(second).toMatchObject({ eventId: first!.eventId, error: broken, failures: 2 });
    expect(second!.retryAt - first!.retryAt).toBeGreaterThanOrEqual(1000);
    expect(handled).toEqual([first!.eventId]);
    expect(session.tasks()).toHaveLength(0);
    await session.close();
  });
});

describe('a failed open', () => {
  it('a disk that fails while the stored tasks join puts the session in the failed state: allTasks() and new tasks reject with StoreFailed, nothing starts, and once it is closed the next open succeeds', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 214 });
    host.connectivity.set({ online: false });
    const configuration = { identifier: 'failed-open' };
    const first = await host.open(configuration);
    const task = await first.download({ url });
    await host.kill();
    host.connectivity.set({ online: true });

    // The open resolves before the stored tasks have joined (B5); the orphan sweep after them fails.
    const { session: failed } = await openCustom(host, transport, configuration, { wrap: (disk) => ({ ...disk, keys: () => Promise.reject(new BgSessionError('StoreFailed', 'The disk failed (EIO).')) }) });
    expect(await failureOf(() => failed.allTasks())).toMatchObject({ code: 'StoreFailed' });
    expect(await failureOf(() => failed.download({ url }))).toMatchObject({ code: 'StoreFailed' });
    await host.clock.advanceAsync(minute);
    expect(transport.requests).toHaveLength(0);
    await failed.close();

    const log = eventLog();
    const session = await host.open(configuration, { listener: recordingListener(log) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});
