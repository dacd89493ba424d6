import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost } from '@bgsession/testing';
import { BgSessionError, createMemoryByteStore, createMemoryStore, createSession, type ByteStore, type Clock, type Transport } from '../index.js';
import { completions, eventLog, rangeStart, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const content = testContent(128 * 1024);
const url = 'https://files.example/big.bin';
const minute = 60_000;

/**
 * A server that sends `chunk` bytes every `everyMs` of the host's clock: a transfer that is in
 * flight for a while, so the app can act (cancel, invalidate, time out) while bytes still arrive.
 */
function drippingTransport(clock: () => Clock, body: Uint8Array, chunk = 8 * 1024, everyMs = 500): Transport {
  return {
    capabilities: { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true },
    start(request) {
      const from = rangeStart(request.headers) ?? 0;
      const status = from > 0 ? 206 : 200;
      const headers: Record<string, string> = { etag: '"v1"', 'content-length': String(body.length - from) };
      if (from > 0) headers['content-range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
      async function* drip(): AsyncGenerator<Uint8Array> {
        for (let at = from; at < body.length; at += chunk) {
          await new Promise<void>((resolve) => clock().setTimer(everyMs, resolve));
          if (request.signal.aborted) throw new BgSessionError('ConnectionFailed', 'aborted');
          yield body.slice(at, Math.min(body.length, at + chunk));
        }
      }
      return Promise.resolve({ head: { status, headers }, body: drip() });
    },
  };
}

/** Asserts that, for every task, nothing about it was heard after its taskDidComplete. */
function expectNothingAfterEnds(order: readonly string[]): void {
  for (const [index, entry] of order.entries()) {
    const [type, id] = entry.split(':');
    if (type !== 'taskDidComplete') continue;
    const later = order.slice(index + 1).filter((other) => other.endsWith(`:${id}`));
    expect(later, `events of task ${id} after its taskDidComplete`).toEqual([]);
  }
}

describe('finishTasksAndInvalidate', () => {
  it('cancels suspended tasks, lets running ones finish, then delivers sessionDidBecomeInvalid last', async () => {
    let host: MemoryHost | null = null;
    host = createMemoryHost({ transport: drippingTransport(() => host!.clock, content), seed: 71 });
    const log = eventLog();
    const session = await host.open({ identifier: 'finish', checkpointBytes: 16 * 1024 }, { listener: recordingListener(log) });
    const running = await session.download({ url });
    const waiting = await session.download({ url: 'https://files.example/later.bin', resume: false });
    const paused = await session.download({ url: 'https://files.example/paused.bin' });
    await runUntil(host, () => paused.info().countOfBytesReceived >= 32 * 1024, 500);
    await paused.suspend();

    await session.finishTasksAndInvalidate();
    await expect(session.download({ url })).rejects.toMatchObject({ code: 'SessionInvalidated' });
    await expect(session.data({ url })).rejects.toBeInstanceOf(BgSessionError);
    await runUntil(host, () => log.durable.some((e) => e.type === 'sessionDidBecomeInvalid'), 500);

    expect(completions(log, waiting.taskIdentifier)[0]!.error?.code).toBe('Cancelled');
    const pausedEnd = completions(log, paused.taskIdentifier)[0]!;
    expect(pausedEnd.error?.code).toBe('Cancelled');
    // A suspended download keeps its resume data (semantics section 1).
    expect(typeof pausedEnd.error?.resumeData).toBe('string');
    expect(completions(log, running.taskIdentifier)[0]!.error).toBeNull();
    expect(log.durable.at(-1)!.type).toBe('sessionDidBecomeInvalid');
    expect(log.durable.filter((e) => e.type === 'sessionDidBecomeInvalid')).toHaveLength(1);
    await session.invalidated();
    expectNothingAfterEnds(log.order);
    await session.close();
  });

  it('reopening after the outbox drained gives an active session whose new identifiers are higher than any before (#5)', async () => {
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
    const host = createMemoryHost({ transport, seed: 72 });
    const log = eventLog();
    const session = await host.open({ identifier: 'reopen-invalidated' }, { listener: recordingListener(log) });
    const ids = [(await session.download({ url })).taskIdentifier, (await session.data({ url, resume: false })).taskIdentifier];
    await session.finishTasksAndInvalidate();
    await runUntil(host, () => log.durable.some((e) => e.type === 'sessionDidBecomeInvalid') && session.tasks().length === 0);
    await session.close();

    const again = await host.open({ identifier: 'reopen-invalidated' });
    expect(again.tasks()).toEqual([]);
    const next = await again.download({ url, resume: false });
    expect(next.taskIdentifier).toBeGreaterThan(Math.max(...ids));
    await again.close();
  });

  it('reopening before the invalidation was acknowledged delivers it again and takes no new task', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 73 });
    const first = await host.open({ identifier: 'reopen-undrained' }, { listener: { sessionDidBecomeInvalid: () => new Promise<void>(() => undefined) } });
    await first.download({ url, resume: false });
    await first.finishTasksAndInvalidate();
    await host.kill();

    const log = eventLog();
    const again = await host.open({ identifier: 'reopen-undrained' }, { listener: recordingListener(log) });
    await runUntil(host, () => log.durable.some((e) => e.type === 'sessionDidBecomeInvalid'));
    await expect(again.download({ url })).rejects.toMatchObject({ code: 'SessionInvalidated' });
    await again.close();
  });

  it('a host that died while finishing, with nothing left to finish, invalidates the session at the next open', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 82 });
    await (await host.open({ identifier: 'died-finishing' })).close();
    // The store as a host leaves it when it dies between the `finishing` commit and the invalidation.
    const header = JSON.parse(host.storeData.header!) as Record<string, unknown>;
    host.storeData.header = JSON.stringify({ ...header, lifecycle: 'finishing' });

    const log = eventLog();
    const session = await host.open({ identifier: 'died-finishing' }, { listener: recordingListener(log) });
    await runUntil(host, () => log.durable.some((e) => e.type === 'sessionDidBecomeInvalid'));
    await session.invalidated();
    await expect(session.download({ url })).rejects.toMatchObject({ code: 'SessionInvalidated' });
    await session.close();
  });
});

describe('invalidateAndCancel', () => {
  it('cancels every task, running or not, then delivers sessionDidBecomeInvalid; no progress follows an end', async () => {
    let host: MemoryHost | null = null;
    host = createMemoryHost({ transport: drippingTransport(() => host!.clock, content), seed: 74 });
    const log = eventLog();
    const session = await host.open({ identifier: 'invalidate', checkpointBytes: 16 * 1024, progressInterval: 100 }, { listener: recordingListener(log) });
    const tasks = [
      await session.download({ url }),
      await session.download({ url: 'https://files.example/2.bin' }),
      await session.data({ url: 'https://files.example/3.bin' }),
      await session.download({ url: 'https://files.example/4.bin', resume: false }),
    ];
    await runUntil(host, () => tasks[0]!.info().countOfBytesReceived >= 32 * 1024, 500);
    await session.invalidateAndCancel();
    await runUntil(host, () => log.durable.some((e) => e.type === 'sessionDidBecomeInvalid'), 500);
    await host.clock.advanceAsync(minute);

    for (const task of tasks) {
      const ends = completions(log, task.taskIdentifier);
      expect(ends).toHaveLength(1);
      expect(ends[0]!.error?.code).toBe('Cancelled');
    }
    expect(log.durable.at(-1)!.type).toBe('sessionDidBecomeInvalid');
    expect(log.transient.some((e) => e.type === 'taskDidWriteData')).toBe(true);
    expectNothingAfterEnds(log.order);
    await runUntil(host, () => session.tasks().length === 0);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await expect(session.upload({ url, body: new Uint8Array(1) })).rejects.toMatchObject({ code: 'SessionInvalidated' });
    await session.close();
  });
});

describe('progress events', () => {
  it('never follow a task terminal event: success, cancel and resource timeout side by side', async () => {
    let host: MemoryHost | null = null;
    host = createMemoryHost({ transport: drippingTransport(() => host!.clock, content, 4 * 1024, 100), seed: 75 });
    const log = eventLog();
    const session = await host.open({ identifier: 'progress', progressInterval: 50, checkpointBytes: 8 * 1024 }, { listener: recordingListener(log) });
    const finishing = await session.download({ url });
    const cancelled = await session.download({ url: 'https://files.example/c.bin' });
    const timedOut = await session.download({ url: 'https://files.example/t.bin', timeoutForResource: 1500 });
    await runUntil(host, () => cancelled.info().countOfBytesReceived >= 16 * 1024, 100);
    await cancelled.cancel();
    await runUntil(host, () => [finishing, cancelled, timedOut].every((t) => completions(log, t.taskIdentifier).length === 1), 100);
    await host.clock.advanceAsync(minute);

    expect(completions(log, timedOut.taskIdentifier)[0]!.error?.code).toBe('ResourceTimeout');
    expect(completions(log, cancelled.taskIdentifier)[0]!.error?.code).toBe('Cancelled');
    expect(completions(log, finishing.taskIdentifier)[0]!.error).toBeNull();
    const last = log.transient.filter((e) => e.type === 'taskDidWriteData' && e.task.taskIdentifier === finishing.taskIdentifier).at(-1);
    expect(last?.type === 'taskDidWriteData' && last.totalBytesWritten).toBe(content.length);
    expectNothingAfterEnds(log.order);
    await session.close();
  });

  it('a chunk still being written when the task ends reports no progress after the end', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 83 });
    // A disk that takes a while to write each chunk: the resource timeout ends the task mid-write.
    const disk = createMemoryByteStore({ data: host.byteData });
    const slowDisk: ByteStore = { ...disk, append: (key, bytes) => new Promise<void>((resolve) => host.clock.setTimer(300, resolve)).then(() => disk.append(key, bytes)) };
    const log = eventLog();
    const session = await createSession({
      ports: {
        store: createMemoryStore({ data: host.storeData }), byteStore: slowDisk, clock: host.clock, random: host.random, connectivity: host.connectivity,
        transport: drippingTransport(() => host.clock, content, 4 * 1024, 100),
      },
      configuration: { identifier: 'slow-disk', progressInterval: 1 },
      hostOptions: { listener: recordingListener(log) },
    });
    const task = await session.download({ url, timeoutForResource: 1000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 50);
    await host.clock.advanceAsync(minute);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ResourceTimeout');
    expect(log.transient.some((e) => e.type === 'taskDidWriteData')).toBe(true);
    expectNothingAfterEnds(log.order);
    await session.close();
  });
});

describe('relaunch', () => {
  it('a non-idempotent POST in flight when the host died ends as RequestInterrupted, not sent again', async () => {
    const transport = createScriptedTransport(() => ({ type: 'hang' }));
    const host = createMemoryHost({ transport, seed: 76 });
    const first = await host.open({ identifier: 'post-interrupted' });
    const task = await first.data({ url: 'https://api.example/orders', method: 'POST', body: new TextEncoder().encode('{"buy":1}') });
    await runUntil(host, () => transport.requests.length === 1);
    await host.kill();

    const log = eventLog();
    const second = await host.open({ identifier: 'post-interrupted' }, { listener: recordingListener(log) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * minute);
    const [end] = completions(log, task.taskIdentifier);
    expect(end!.error).toMatchObject({ code: 'RequestInterrupted', bodyMayHaveBeenSent: true });
    expect(end!.task.phase).toBe('failed');
    expect(transport.requests).toHaveLength(1);
    await runUntil(host, () => second.tasks().length === 0);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await second.close();
  });

  it('an idempotent download in flight when the host died continues from its kept bytes, no attempt spent', async () => {
    const transport = createScriptedTransport([
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024, hangAfter: 64 * 1024 }),
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024 }),
    ]);
    const host = createMemoryHost({ transport, seed: 77 });
    const configuration = { identifier: 'get-interrupted', checkpointBytes: 16 * 1024, retry: { maxAttempts: 1 } };
    const first = await host.open(configuration);
    const task = await first.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 64 * 1024);
    await host.kill();

    const log = eventLog();
    const second = await host.open(configuration, { listener: recordingListener(log) });
    expect(second.task(task.taskIdentifier)?.info().countOfBytesReceived).toBe(64 * 1024);
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(rangeStart(transport.requests[1]!.headers)).toBe(64 * 1024);
    await second.close();
  });

  it('a second live owner of the same store is refused with SessionInUse', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 78 });
    const first = await host.open({ identifier: 'one-owner' });
    await expect(host.open({ identifier: 'one-owner' })).rejects.toMatchObject({ code: 'SessionInUse' });
    await first.close();
  });
});

describe('a corrupt store', () => {
  /** Three suspended downloads in a store, then the host dies. */
  async function storeWithThreeTasks(host: MemoryHost, identifier: string): Promise<number[]> {
    const session = await host.open({ identifier });
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await session.download({ url: `https://files.example/${name}`, resume: false })).taskIdentifier);
    await host.kill();
    return ids;
  }

  it('a task record that is not JSON is reported with its path; the other tasks load and its identifier is not reused', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 79 });
    const ids = await storeWithThreeTasks(host, 'corrupt');
    const highest = String(Math.max(...ids));
    host.storeData.records.get('tasks')!.set(highest, '{"schemaVersion":1,"phase":');
    host.byteData.entries.set(`part-${highest}`, { buffer: new Uint8Array(4), length: 4, synced: 4, durable: true });

    const log = eventLog();
    const session = await host.open({ identifier: 'corrupt' }, { listener: recordingListener(log) });
    expect(session.problems).toHaveLength(1);
    expect(session.problems[0]).toMatchObject({ code: 'CorruptRecord', path: `tasks/${highest}` });
    expect(log.transient.filter((e) => e.type === 'storeProblem')).toHaveLength(1);
    expect(session.tasks().map((t) => t.taskIdentifier)).toEqual(ids.slice(0, 2));
    const next = await session.download({ url, resume: false });
    expect(next.taskIdentifier).toBeGreaterThan(Math.max(...ids));
    // The quarantined task's bytes are left for whoever repairs the store.
    expect(host.byteData.entries.has(`part-${highest}`)).toBe(true);
    await session.close();
  });

  it('a task record of the wrong shape is reported with the path of what was wrong', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 80 });
    const ids = await storeWithThreeTasks(host, 'corrupt-shape');
    const records = host.storeData.records.get('tasks')!;
    const key = String(ids[1]);
    const stored = JSON.parse(records.get(key)!) as Record<string, unknown>;
    records.set(key, JSON.stringify({ ...stored, phase: 'exploded' }));

    const session = await host.open({ identifier: 'corrupt-shape' });
    expect(session.problems).toHaveLength(1);
    expect(session.problems[0]!.code).toBe('CorruptRecord');
    expect(session.problems[0]!.path).toMatch(new RegExp(`^tasks/${key}[./]phase`));
    expect(session.tasks().map((t) => t.taskIdentifier)).toEqual([ids[0], ids[2]]);
    await session.close();
  });

  it('with the header and the highest task both corrupt, identifiers are still not reused (#5)', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 81 });
    const ids = await storeWithThreeTasks(host, 'corrupt-header');
    host.storeData.header = '{"broken":';
    host.storeData.records.get('tasks')!.set(String(Math.max(...ids)), 'not json at all');

    const session = await host.open({ identifier: 'corrupt-header' });
    expect(session.problems.map((p) => p.path).sort()).toEqual(['header', `tasks/${Math.max(...ids)}`]);
    const next = await session.download({ url, resume: false });
    expect(next.taskIdentifier).toBeGreaterThan(Math.max(...ids));
    await session.close();
  });
});
