import { describe, expect, it } from 'vitest';
import { createMemoryHost, type MemoryHost } from '@bgsession/testing';
import { BgSessionError, type AttemptRequest, type Clock, type Transport } from '../index.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent } from './session-fixtures.test-helpers.js';

/*
 * Races between the app's controls, the network and an attempt still being torn down: the old
 * attempt's late events never reach the next one, no attempt is spent for nothing, no request is
 * sent twice, and the scheduler's limits hold.
 */

const kib = 1024;
const content = testContent(128 * kib);
const url = 'https://files.example/big.bin';

/** One request as the paced server saw it. */
interface ServedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The host clock when the request arrived. */
  readonly startedAt: number;
  /** Body bytes handed to the client. */
  yielded: number;
}

/** A server that sends one chunk every `everyMs` of the host's clock, and counts requests in flight. */
interface PacedServer {
  readonly transport: Transport;
  readonly requests: ServedRequest[];
  /** The most requests in flight at one instant (a request is in flight until its body ends or it is aborted). */
  readonly maxInFlight: () => number;
}

/**
 * Serves `body` with Range support (strong ETag) a chunk at a time. An aborted request notices only
 * when its next chunk is due: its teardown takes up to `everyMs`, during which the app and the
 * network can act again.
 */
function pacedServer(clock: () => Clock, body: Uint8Array, chunk = 8 * kib, everyMs = 500): PacedServer {
  const requests: ServedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  function start(request: AttemptRequest) {
    const served: ServedRequest = { url: request.url, method: request.method, headers: { ...request.headers }, startedAt: clock().now(), yielded: 0 };
    requests.push(served);
    let open = true;
    const close = () => {
      if (open) inFlight -= 1;
      open = false;
    };
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    request.signal.addEventListener('abort', close, { once: true });
    if (request.signal.aborted) close();
    const from = rangeStart(request.headers) ?? 0;
    const headers: Record<string, string> = { etag: '"v1"', 'accept-ranges': 'bytes', 'content-length': String(body.length - from) };
    if (from > 0) headers['content-range'] = `bytes ${from}-${body.length - 1}/${body.length}`;
    async function* drip(): AsyncGenerator<Uint8Array> {
      try {
        for (let at = from; at < body.length; at += chunk) {
          await new Promise<void>((resolve) => clock().setTimer(everyMs, resolve));
          if (request.signal.aborted) throw new BgSessionError('ConnectionFailed', 'aborted');
          const part = body.slice(at, Math.min(body.length, at + chunk));
          served.yielded += part.length;
          yield part;
        }
      } finally {
        close();
      }
    }
    return Promise.resolve({ head: { status: from > 0 ? 206 : 200, headers }, body: drip() });
  }
  return {
    transport: { capabilities: { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true }, start },
    requests,
    maxInFlight: () => maxInFlight,
  };
}

/** Waits, on the virtual clock and bounded, until `promise` settles; throws if it never does. */
async function settledWithin(host: MemoryHost, promise: Promise<unknown>, steps = 50): Promise<void> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await runUntil(host, () => done, 100, steps);
}

describe('an attempt still being torn down', () => {
  it('#10 #7 a network flap offline -> online mid-transfer spends no attempt: the next request goes out without a backoff and asks only for the bytes not yet received', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, content);
    host = createMemoryHost({ transport: server.transport, seed: 101 });
    const log = eventLog();
    const readFile = (at: string) => host!.byteData.readFile(at);
    // A long backoff base: an attempt spent by the flap would show as minutes of waiting.
    const session = await host.open({ identifier: 'flap', checkpointBytes: 16 * kib, retry: { base: 60_000, cap: 600_000 } }, { listener: recordingListener(log, readFile) });
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 32 * kib, 250);

    const flapAt = host.clock.now();
    host.connectivity.set({ online: false });
    host.connectivity.set({ online: true });
    const phases = new Set<string>();
    await runUntil(host, () => (phases.add(task.info().phase), completions(log, task.taskIdentifier).length === 1), 250);

    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(phases.has('backingOff')).toBe(false);
    expect(server.requests).toHaveLength(2);
    // The old attempt's teardown takes at most one chunk interval; no backoff follows it.
    expect(server.requests[1]!.startedAt - flapAt).toBeLessThanOrEqual(500);
    expect(rangeStart(server.requests[1]!.headers)).toBe(server.requests[0]!.yielded);
    expect(server.requests[0]!.yielded + server.requests[1]!.yielded).toBe(content.length);
    expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
    await session.close();
  });

  it('#10 #7 void suspend() then await resume() mid-transfer spends no attempt (maxAttempts: 1 still succeeds) and fetches no byte twice', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, content);
    host = createMemoryHost({ transport: server.transport, seed: 102 });
    const log = eventLog();
    const readFile = (at: string) => host!.byteData.readFile(at);
    const session = await host.open({ identifier: 'suspend-resume-race', checkpointBytes: 16 * kib, retry: { maxAttempts: 1 } }, { listener: recordingListener(log, readFile) });
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 32 * kib, 250);

    void task.suspend();
    expect(await task.resume()).toMatchObject({ changed: true });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 250);

    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect((await task.outcome()).phase).toBe('succeeded');
    expect(server.requests).toHaveLength(2);
    expect(rangeStart(server.requests[1]!.headers)).toBe(server.requests[0]!.yielded);
    expect(server.requests[0]!.yielded + server.requests[1]!.yielded).toBe(content.length);
    expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
    await session.close();
  });

  it('#13 a POST in flight is never sent twice: not by a network flap, not by void suspend() then resume()', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, new TextEncoder().encode('{"order":"accepted"}'.padEnd(4 * kib, ' ')), kib);
    host = createMemoryHost({ transport: server.transport, seed: 103 });
    const log = eventLog();
    const session = await host.open({ identifier: 'post-race' }, { listener: recordingListener(log) });
    const task = await session.data({ url: 'https://api.example/orders', method: 'POST', body: new TextEncoder().encode('{"buy":1}') });
    await runUntil(host, () => server.requests[0] !== undefined && server.requests[0].yielded >= kib, 250);
    expect(task.info().phase).toBe('transferring');

    host.connectivity.set({ online: false });
    host.connectivity.set({ online: true });
    void task.suspend();
    await task.resume();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 250);
    await host.clock.advanceAsync(10 * 60_000);

    expect(server.requests).toHaveLength(1);
    const [end] = completions(log, task.taskIdentifier);
    expect(end!.error).toBeNull();
    expect(end!.response?.body.byteLength).toBe(4 * kib);
    await session.close();
  });

  it('#13 suspend() of a POST whose request went out is refused ({ changed: false }) and the request is not sent again', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, new Uint8Array(8 * kib), kib);
    host = createMemoryHost({ transport: server.transport, seed: 104 });
    const log = eventLog();
    const session = await host.open({ identifier: 'post-suspend' }, { listener: recordingListener(log) });
    const task = await session.data({ url: 'https://api.example/orders', method: 'POST', body: new TextEncoder().encode('{"buy":1}') });
    await runUntil(host, () => server.requests.length === 1, 100);

    const result = await task.suspend();
    expect(result.changed).toBe(false);
    expect(['connecting', 'transferring']).toContain(result.phase);
    expect(task.info().state).toBe('running');
    await task.resume();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 250);
    await host.clock.advanceAsync(10 * 60_000);

    expect(server.requests).toHaveLength(1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await session.close();
  });
});

describe('scheduler slots under control races', () => {
  it('#14 #10 with maxConcurrentTasks: 1, suspend/resume races never put two requests in flight nor spend an attempt (maxAttempts: 1), and close() resolves', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, content, 16 * kib, 500);
    host = createMemoryHost({ transport: server.transport, seed: 105 });
    const log = eventLog();
    const session = await host.open({ identifier: 'slots', maxConcurrentTasks: 1, checkpointBytes: 16 * kib, retry: { maxAttempts: 1 } }, { listener: recordingListener(log) });
    const x = await session.download({ url: 'https://files.example/x.bin' });
    const y = await session.download({ url: 'https://files.example/y.bin', resume: false });
    await runUntil(host, () => x.info().countOfBytesReceived >= 16 * kib, 250);

    // x gets its slot back while its old attempt is still being torn down; then y wants one.
    void x.suspend();
    void x.resume();
    await settle(host);
    void y.resume();
    await settle(host);
    void x.resume();
    void x.suspend();
    void x.resume();
    await host.clock.advanceAsync(600);
    void y.suspend();
    void y.resume();
    void x.suspend();
    await x.resume();
    await runUntil(host, () => [x, y].every((task) => completions(log, task.taskIdentifier).length === 1), 250, 400);

    expect(server.maxInFlight()).toBe(1);
    for (const task of [x, y]) expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await settledWithin(host, session.close());
  });

  it('#14 with maxConcurrentTasks: 1, a task created stopped and resumed and suspended in one turn never runs beside another', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, content, 16 * kib, 500);
    host = createMemoryHost({ transport: server.transport, seed: 106 });
    const log = eventLog();
    const session = await host.open({ identifier: 'slots-created', maxConcurrentTasks: 1, checkpointBytes: 16 * kib }, { listener: recordingListener(log) });
    const x = await session.download({ url: 'https://files.example/x.bin', resume: false });
    const y = await session.download({ url: 'https://files.example/y.bin', resume: false });

    void x.resume();
    void y.resume();
    void x.suspend();
    void x.resume();
    await settle(host);
    await host.clock.advanceAsync(1200);
    void x.suspend();
    void y.suspend();
    void x.resume();
    await y.resume();
    await runUntil(host, () => [x, y].every((task) => completions(log, task.taskIdentifier).length === 1), 250, 400);

    expect(server.maxInFlight()).toBe(1);
    await settledWithin(host, session.close());
  });
});

describe('taskKey', () => {
  it('two concurrent download() calls with the same taskKey give the same task, and one request goes out', async () => {
    let host: MemoryHost | null = null;
    const server = pacedServer(() => host!.clock, content, 64 * kib, 100);
    host = createMemoryHost({ transport: server.transport, seed: 107 });
    const log = eventLog();
    const session = await host.open({ identifier: 'task-key-race' }, { listener: recordingListener(log) });
    const [first, second] = await Promise.all([session.download({ url, taskKey: 'k' }), session.download({ url, taskKey: 'k' })]);

    expect(second.taskIdentifier).toBe(first.taskIdentifier);
    expect(session.tasks()).toHaveLength(1);
    await runUntil(host, () => completions(log, first.taskIdentifier).length === 1, 100);
    await host.clock.advanceAsync(60_000);
    expect(server.requests).toHaveLength(1);
    expect(log.durable.filter((event) => event.type === 'downloadDidFinish')).toHaveLength(1);
    await session.close();
  });
});
