import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost, type RecordedRequest } from '@bgsession/testing';
import type { Session, Task } from '../index.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, testContent, type EventLog } from './session-fixtures.test-helpers.js';

const content = testContent(256 * 1024);
const url = 'https://files.example/big.bin';
const kib = 1024;

/** A server that stalls the first response after `stallAt` bytes, then serves ranges like a compliant one. */
function stallingThenServing(stallAt: number) {
  return createScriptedTransport([
    serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib, hangAfter: stallAt }),
    serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib }),
    serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib }),
  ]);
}

async function openWithLog(host: MemoryHost, identifier: string): Promise<{ session: Session; log: EventLog }> {
  const log = eventLog();
  const session = await host.open({ identifier, checkpointBytes: 32 * kib }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
  return { session, log };
}

/** Waits until a download has received `bytes` (`task.info()` counts the attempt in flight). */
function untilKept(host: MemoryHost, task: Task, bytes: number): Promise<void> {
  return runUntil(host, () => task.info().countOfBytesReceived >= bytes);
}

/** The first byte each request asked for with Range, or null where it asked for the whole body. */
function bytesAskedFrom(requests: readonly RecordedRequest[]): Array<number | null> {
  return requests.map((request) => rangeStart(request.headers));
}

describe('suspend and resume', () => {
  it('suspending a running download keeps its bytes, and resuming asks only for the rest', async () => {
    const transport = stallingThenServing(128 * kib);
    const host = createMemoryHost({ transport, seed: 21 });
    const { session, log } = await openWithLog(host, 'suspend-resume');
    const task = await session.download({ url, destination: { type: 'path', path: '/downloads/big.bin', ifExists: 'fail' } });
    await untilKept(host, task, 128 * kib);

    const suspended = await task.suspend();
    expect(suspended).toEqual({ changed: true, phase: 'suspended' });
    expect(task.info().state).toBe('suspended');
    expect(host.byteData.entries.get(`part-${task.taskIdentifier}`)?.length).toBe(128 * kib);
    // A suspended task holds no connection and starts none, however long it waits.
    await host.clock.advanceAsync(10 * 60_000);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.aborted).toBe(true);
    expect(await task.suspend()).toEqual({ changed: false, phase: 'suspended' });

    expect(await task.resume()).toMatchObject({ changed: true });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 128 * kib]);
    expect(transport.requests[1]!.headers['if-range']).toBe('"v1"');
    expect(firstDifference(host.byteData.readFile('/downloads/big.bin'), content)).toBe(-1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    await session.close();
  });

  it('resume() on a running task, and suspend() or resume() on a completed one, are no-ops that say so', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 22 });
    const { session, log } = await openWithLog(host, 'no-op-controls');
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    expect(await task.resume()).toEqual({ changed: false, phase: 'transferring' });
    expect(transport.requests).toHaveLength(1);

    await task.cancel();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(await task.resume()).toEqual({ changed: false, phase: 'cancelled' });
    expect(await task.suspend()).toEqual({ changed: false, phase: 'cancelled' });
    expect(await task.cancel()).toEqual({ changed: false, phase: 'cancelled' });
    expect(await task.cancelProducingResumeData()).toBeNull();
    expect(completions(log, task.taskIdentifier)).toHaveLength(1);
    await session.close();
  });

  it('cancelProducingResumeData() on a running download with nothing worth resuming resolves null once the task has ended, as it resolves resume data', async () => {
    const transport = createScriptedTransport([serveBytes(content, { hangAfter: 16 * kib })]);
    const host = createMemoryHost({ transport, seed: 24 });
    const { session, log } = await openWithLog(host, 'null-resume-data');
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 16 * kib, 10);
    const resolved = task.cancelProducingResumeData().then((value) => ({ value, phase: task.info().phase }));
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 10);
    expect(await resolved).toEqual({ value: null, phase: 'cancelled' });
    await session.close();
  });

  it('a task created with resume: false starts nothing until resume()', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 23 });
    const { session, log } = await openWithLog(host, 'created-suspended');
    const task = await session.download({ url, resume: false });
    expect(task.info()).toMatchObject({ state: 'suspended', phase: 'created' });
    await host.clock.advanceAsync(60_000);
    expect(transport.requests).toHaveLength(0);
    expect(await task.resume()).toMatchObject({ changed: true });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});

describe('cancel', () => {
  it('cancel() ends a running download as Cancelled, once, and deletes its partial bytes', async () => {
    const transport = stallingThenServing(96 * kib);
    const host = createMemoryHost({ transport, seed: 24 });
    const { session, log } = await openWithLog(host, 'cancel');
    const task = await session.download({ url });
    await untilKept(host, task, 96 * kib);
    expect(host.byteData.entries.has(`part-${task.taskIdentifier}`)).toBe(true);

    await task.cancel();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error?.code).toBe('Cancelled');
    expect(completion!.error?.resumeData).toBeUndefined();
    expect(completion!.task.state).toBe('completed');
    expect((await task.outcome()).phase).toBe('cancelled');
    expect([...host.byteData.entries.keys()]).toEqual([]);
    expect(host.byteData.files.size).toBe(0);
    await host.clock.advanceAsync(60_000);
    expect(transport.requests).toHaveLength(1);
    expect(log.durable.filter((e) => e.type === 'downloadDidFinish')).toEqual([]);
    await session.close();
  });

  it('cancel() of a task that never ran ends it at once and deletes its upload body', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 25 });
    const { session, log } = await openWithLog(host, 'cancel-idle');
    const task = await session.upload({ url, body: new Uint8Array(1000), resume: false });
    expect([...host.byteData.entries.keys()]).toEqual([`body-${task.taskIdentifier}`]);
    expect(await task.cancel()).toEqual({ changed: true, phase: 'cancelled' });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('Cancelled');
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });
});

describe('taskKey', () => {
  it('creating with an existing taskKey returns the existing task, also after a relaunch', async () => {
    const transport = createScriptedTransport(() => ({ type: 'hang' }));
    const host = createMemoryHost({ transport, seed: 31 });
    const session = await host.open({ identifier: 'task-key' });
    const first = await session.download({ url, taskKey: 'photo-1', resume: false });
    const again = await session.download({ url: 'https://files.example/other.bin', taskKey: 'photo-1' });
    expect(again.taskIdentifier).toBe(first.taskIdentifier);
    expect(again.info().originalRequest.url).toBe(url);
    const other = await session.download({ url, taskKey: 'photo-2', resume: false });
    expect(other.taskIdentifier).not.toBe(first.taskIdentifier);
    expect(session.tasks()).toHaveLength(2);
    await host.kill();

    const reopened = await host.open({ identifier: 'task-key' });
    const afterRelaunch = await reopened.download({ url, taskKey: 'photo-1' });
    expect(afterRelaunch.taskIdentifier).toBe(first.taskIdentifier);
    expect(reopened.tasks()).toHaveLength(2);
    expect(transport.requests).toHaveLength(0);
    await reopened.close();
  });

  it('a taskKey of a download is InvalidArgument for a data or upload call, even while the download is being created', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })), seed: 35 });
    const session = await host.open({ identifier: 'task-key-kinds' });
    const creating = session.download({ url, taskKey: 'report', resume: false });
    const racing = session.data({ url, taskKey: 'report' });
    const first = await creating;
    await expect(racing).rejects.toMatchObject({ code: 'InvalidArgument', field: 'taskKey', taskIdentifier: first.taskIdentifier });
    await expect(session.upload({ url, body: new Uint8Array([1]), taskKey: 'report' })).rejects.toMatchObject({ code: 'InvalidArgument', field: 'taskKey' });
    expect((await session.download({ url, taskKey: 'report' })).taskIdentifier).toBe(first.taskIdentifier);
    expect(session.tasks()).toHaveLength(1);
    await session.close();
  });

  it('a taskKey of a data task is InvalidArgument for a download made from resume data too', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib, hangAfter: 64 * kib })]), seed: 36 });
    const session = await host.open({ identifier: 'task-key-resume-data' });
    const download = await session.download({ url });
    await untilKept(host, download, 64 * kib);
    const resumeData = await download.cancelProducingResumeData();
    expect(typeof resumeData).toBe('string');
    const data = await session.data({ url: 'https://api.example/ping', taskKey: 'k1', resume: false });
    await expect(session.download({ resumeData: resumeData as string, taskKey: 'k1' })).rejects.toMatchObject({ code: 'InvalidArgument', field: 'taskKey', taskIdentifier: data.taskIdentifier });
    await session.close();
  });
});
