import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost, type RecordedRequest } from '@bgsession/testing';
import type { DownloadOptions, HostOptions, Session, Task } from '../index.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent, type EventLog } from './session-fixtures.test-helpers.js';

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

async function openWithLog(host: MemoryHost, identifier: string, hostOptions: HostOptions = {}): Promise<{ session: Session; log: EventLog }> {
  const log = eventLog();
  const session = await host.open({ identifier, checkpointBytes: 32 * kib }, { ...hostOptions, listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
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

describe('cancelProducingResumeData and download(resumeData)', () => {
  it('the resume data continues from the kept bytes with Range and If-Range, and the file is whole', async () => {
    const transport = stallingThenServing(160 * kib);
    const host = createMemoryHost({ transport, seed: 26 });
    const { session, log } = await openWithLog(host, 'resume-data');
    const task = await session.download({ url, headers: { Accept: 'application/octet-stream' } });
    await untilKept(host, task, 160 * kib);

    const resumeData = await task.cancelProducingResumeData();
    expect(typeof resumeData).toBe('string');
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const cancelled = completions(log, task.taskIdentifier)[0]!;
    expect(cancelled.error?.code).toBe('Cancelled');
    expect(cancelled.error?.resumeData).toBe(resumeData);
    // The bytes now belong to the resume data, not to the cancelled task.
    expect(host.byteData.entries.get(`part-${task.taskIdentifier}`)?.length).toBe(160 * kib);

    const resumed = await session.download(resumeData!);
    expect(resumed.taskIdentifier).toBeGreaterThan(task.taskIdentifier);
    expect(resumed.info().countOfBytesReceived).toBe(160 * kib);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 160 * kib]);
    expect(transport.requests[1]!.headers['if-range']).toBe('"v1"');
    expect(transport.requests[1]!.headers['accept']).toBe('application/octet-stream');
    await session.close();
  });

  it('a task resumed before the cancelled one is acknowledged keeps the bytes it took over: the acknowledgement deletes nothing it owns', async () => {
    const transport = stallingThenServing(160 * kib);
    const host = createMemoryHost({ transport, seed: 28 });
    const log = eventLog();
    const recording = recordingListener(log, (at) => host.byteData.readFile(at));
    // The app holds the cancelled task's taskDidComplete (its handler has not returned) until it
    // has made the download from its resume data.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let cancelledTask = -1;
    const session = await host.open(
      { identifier: 'resume-data-before-ack', checkpointBytes: 32 * kib },
      {
        listener: {
          ...recording,
          taskDidComplete: async (event) => {
            recording.taskDidComplete?.(event);
            if (event.task.taskIdentifier === cancelledTask) await held;
          },
        },
      },
    );
    const task = await session.download({ url });
    cancelledTask = task.taskIdentifier;
    await untilKept(host, task, 160 * kib);
    const resumeData = await task.cancelProducingResumeData();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);

    const resumed = await session.download(resumeData!);
    release();
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 160 * kib]);
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    await session.close();
  });

  it('download({ resumeData, ...options }) gives the new task options of its own: its destination, integrity, key and description; the bytes still continue', async () => {
    const transport = stallingThenServing(96 * kib);
    const host = createMemoryHost({ transport, seed: 29 });
    const { session, log } = await openWithLog(host, 'resume-data-options');
    const task = await session.download({ url, taskKey: 'report' });
    await untilKept(host, task, 96 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    const integrity = `sha256-${createHash('sha256').update(content).digest('base64')}`;
    const options = { resumeData, destination: { type: 'path', path: '/downloads/report.bin' }, integrity, taskKey: 'report', taskDescription: 'the report' } as const;
    // Two calls that race (an app that cannot tell whether the first landed) make one task; the
    // cancelled task's key passes to it.
    const [resumed, again] = await Promise.all([session.download(options), session.download(options)]);
    expect(again).toBe(resumed);
    expect(resumed.taskIdentifier).toBeGreaterThan(task.taskIdentifier);
    expect(resumed.info()).toMatchObject({ taskKey: 'report', taskDescription: 'the report', countOfBytesReceived: 96 * kib });
    // Called again later, the resume data used up: the task made from it, not InvalidResumeData.
    expect(await session.download(options)).toBe(resumed);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(host.byteData.files.get('/downloads/report.bin') ?? undefined, content)).toBe(-1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 96 * kib]);
    await session.close();
  });

  it('download({ resumeData, url | method | headers other than credentials }) is InvalidArgument naming the field, and the resume data stays usable (with an integrity the bytes then fail)', async () => {
    const host = createMemoryHost({ transport: stallingThenServing(64 * kib), seed: 30 });
    const { session, log } = await openWithLog(host, 'resume-data-refused-options');
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    for (const [field, value] of [['url', url], ['method', 'GET'], ['headers', { 'x-trace': '1' }], ['headers', 'authorization']] as const) {
      const refused = await session.download({ resumeData, [field]: value } as never).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'InvalidArgument', field });
    }
    // `resumeData: undefined` beside a URL is a plain download, not a resume.
    const plain = await session.download({ url, resumeData: undefined, resume: false } as DownloadOptions);
    expect(plain.info()).toMatchObject({ countOfBytesReceived: 0, originalRequest: { url } });
    const wrong = await session.download({ resumeData, priority: 7 }).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ code: 'InvalidArgument', field: 'priority' });
    const resumed = await session.download({ resumeData, integrity: `sha256-${'A'.repeat(43)}=` });
    expect(resumed.info().countOfBytesReceived).toBe(64 * kib);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error?.code).toBe('IntegrityMismatch');
    await session.close();
  });

  it('a download sent with credentials and resumed from its resume data in the same process is sent with them again (it went without them, and got 401)', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 36 });
    const { session, log } = await openWithLog(host, 'resume-data-credentials');
    const authorization = 'Bearer first';
    const task = await session.download({ url, headers: { authorization } });
    await untilKept(host, task, 64 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    // The resume data names the header it needs, never its value.
    expect(Buffer.from(resumeData, 'base64url').toString('utf8')).not.toContain('Bearer');
    const resumed = await session.download(resumeData);
    expect(resumed.info().credentialHeaders).toEqual(['authorization']);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests.map((request) => request.headers['authorization'])).toEqual([authorization, authorization]);
    await session.close();
  });

  it('#21 credentials kept for resume data go only to the origin they were sent to, whatever URL edited resume data names', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 39 });
    const { session } = await openWithLog(host, 'resume-data-origin');
    const task = await session.download({ url, headers: { authorization: 'Bearer SECRET' } });
    await untilKept(host, task, 64 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    const json = JSON.parse(Buffer.from(resumeData, 'base64url').toString('utf8')) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...json, originalUrl: 'https://attacker.example/x' }), 'utf8').toString('base64url');
    const resumed = await session.download(edited);
    await host.clock.advanceAsync(60_000);
    expect(resumed.info()).toMatchObject({ phase: 'scheduled', reason: 'credentials' });
    expect(transport.requests.filter((request) => request.url.startsWith('https://attacker.example')).map((request) => request.headers['authorization'])).toEqual([]);
    await session.close();
  });

  it('after a relaunch, a download made from resume data asks the credentials callback for the headers it names, or takes them from download({ resumeData, headers })', async () => {
    const stalling = serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib, hangAfter: 64 * kib });
    const serving = serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib });
    const transport = createScriptedTransport([stalling, stalling, serving, serving]);
    const host = createMemoryHost({ transport, seed: 37 });
    const first = await host.open({ identifier: 'resume-data-relaunch-credentials' });
    const cuts = [];
    for (const name of ['a', 'b']) {
      const cut = await first.download({ url: `${url}?${name}`, headers: { authorization: 'Bearer old' } });
      await untilKept(host, cut, 64 * kib);
      cuts.push((await cut.cancelProducingResumeData())!);
    }
    await host.kill();
    const asked: string[] = [];
    const { session, log } = await openWithLog(host, 'resume-data-relaunch-credentials', {
      credentials: (info) => {
        asked.push(info.credentialHeaders.join());
        return info.originalRequest.url.endsWith('?a') ? { authorization: 'Bearer from-callback' } : null;
      },
    });
    const fromCallback = await session.download(cuts[0]!);
    const fromHeaders = await session.download({ resumeData: cuts[1]!, headers: { Authorization: 'Bearer from-call' } });
    await runUntil(host, () => completions(log, fromCallback.taskIdentifier).length === 1 && completions(log, fromHeaders.taskIdentifier).length === 1);
    expect(completions(log, fromCallback.taskIdentifier)[0]!.error).toBeNull();
    expect(completions(log, fromHeaders.taskIdentifier)[0]!.error).toBeNull();
    expect(asked).toContain('authorization');
    const resumedWith = transport.requests.filter((request) => rangeStart(request.headers) === 64 * kib).map((request) => `${request.url.slice(-1)} ${request.headers['authorization']}`);
    expect(resumedWith.sort()).toEqual(['a Bearer from-callback', 'b Bearer from-call']);
    await session.close();
  });

  it('two calls with one resume data at once make one task; the other is InvalidResumeData, and a refused call gives the bytes back', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 31 });
    const { session, log } = await openWithLog(host, 'resume-data-race');
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    // Refused after the bytes were claimed (a file is at the path): the resume data still works.
    host.byteData.files.set('/downloads/taken.bin', new Uint8Array(1));
    const taken = await session.download({ resumeData, destination: { type: 'path', path: '/downloads/taken.bin' } }).catch((error: unknown) => error);
    expect(taken).toMatchObject({ code: 'DestinationExists' });
    const results = await Promise.allSettled([session.download(resumeData), session.download({ resumeData, destination: { type: 'path', path: '/downloads/b.bin' } })]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'InvalidResumeData' } });
    const resumed = (results[0] as PromiseFulfilledResult<Task>).value;
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 64 * kib]);
    await session.close();
  });

  it('after a relaunch, the key a download made from resume data took still answers with that task, not with the cancelled one beside it', async () => {
    const host = createMemoryHost({ transport: stallingThenServing(64 * kib), seed: 32 });
    // No listener: the cancelled task's end stays unacknowledged, so both tasks hold the key.
    const session = await host.open({ identifier: 'resume-data-key', checkpointBytes: 32 * kib });
    const task = await session.download({ url, taskKey: 'k' });
    await untilKept(host, task, 64 * kib);
    const resumeData = (await task.cancelProducingResumeData())!;
    const resumed = await session.download({ resumeData, taskKey: 'k', resume: false });
    await session.close();
    const reopened = await host.open({ identifier: 'resume-data-key', checkpointBytes: 32 * kib });
    expect(reopened.tasks().map((t) => [t.taskIdentifier, t.info().taskKey])).toEqual([
      [task.taskIdentifier, 'k'],
      [resumed.taskIdentifier, 'k'],
    ]);
    expect((await reopened.download({ url, taskKey: 'k' })).taskIdentifier).toBe(resumed.taskIdentifier);
    await reopened.close();
  });

  it('resume data survives a relaunch', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 27 });
    const first = await openWithLog(host, 'resume-data-relaunch');
    const task = await first.session.download({ url });
    await untilKept(host, task, 64 * kib);
    const resumeData = await task.cancelProducingResumeData();
    await runUntil(host, () => completions(first.log, task.taskIdentifier).length === 1);
    await host.kill();

    const second = await openWithLog(host, 'resume-data-relaunch');
    const resumed = await second.session.download(resumeData!);
    await runUntil(host, () => completions(second.log, resumed.taskIdentifier).length === 1);
    expect(completions(second.log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 64 * kib]);
    await second.session.close();
  });

  it('a pause before the first checkpoint keeps what was fetched: the resume data continues from those bytes, not from 0', async () => {
    const transport = stallingThenServing(48 * kib);
    const host = createMemoryHost({ transport, seed: 31 });
    const log = eventLog();
    // The defaults: a checkpoint every 4 MiB or 2 s, so only the response's own (offset 0) is made.
    const session = await host.open({ identifier: 'early-pause' }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
    const task = await session.download({ url });
    await runUntil(host, () => (host.byteData.entries.get('part-1')?.length ?? 0) >= 48 * kib);
    expect(task.info().phase).toBe('transferring');
    const resumeData = await task.cancelProducingResumeData();
    expect(typeof resumeData).toBe('string');
    const resumed = await session.download(resumeData as string);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 48 * kib]);
    expect(transport.requests[1]!.headers['if-range']).toBe('"v1"');
    await session.close();
  });

  it('a download that outlives timeoutForResource ends timedOut with resume data in its error, as Apple\'s do: its bytes are kept and continue', async () => {
    const transport = stallingThenServing(48 * kib);
    const host = createMemoryHost({ transport, seed: 32 });
    const { session, log } = await openWithLog(host, 'timeout-resume');
    const task = await session.download({ url, timeoutForResource: 10_000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const ended = completions(log, task.taskIdentifier)[0]!;
    expect(ended.error?.code).toBe('ResourceTimeout');
    expect(task.info().phase).toBe('timedOut');
    const resumeData = ended.error?.resumeData;
    expect(typeof resumeData).toBe('string');
    expect(host.byteData.entries.get(`part-${task.taskIdentifier}`)?.length).toBe(48 * kib);
    const resumed = await session.download(resumeData as string);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 48 * kib]);
    await session.close();
  });

  it('a task that times out before any response gives no resume data and keeps no bytes', async () => {
    const transport = createScriptedTransport([{ type: 'hang' }]);
    const host = createMemoryHost({ transport, seed: 33 });
    const { session, log } = await openWithLog(host, 'timeout-nothing');
    const task = await session.download({ url, timeoutForResource: 10_000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ResourceTimeout');
    expect(completions(log, task.taskIdentifier)[0]!.error?.resumeData ?? null).toBeNull();
    await settle(host);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('task.info() counts the bytes of the attempt in flight, not only the checkpointed ones (semantics section 2: readable at any time)', async () => {
    const transport = stallingThenServing(48 * kib);
    const host = createMemoryHost({ transport, seed: 34 });
    const log = eventLog();
    const session = await host.open({ identifier: 'live-counts' }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
    const task = await session.download({ url });
    await runUntil(host, () => (host.byteData.entries.get('part-1')?.length ?? 0) >= 48 * kib);
    // No checkpoint but the response's own (offset 0) was made: the defaults are 4 MiB and 2 s.
    expect(task.info()).toMatchObject({ phase: 'transferring', countOfBytesReceived: 48 * kib, countOfBytesExpectedToReceive: content.length });
    expect(session.tasks()[0]!.info().countOfBytesReceived).toBe(48 * kib);
    await task.cancel();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(task.info().phase).toBe('cancelled');
    await session.close();
  });

  it('a download without a strong validator gives no resume data and keeps no bytes', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: 'W/"weak"', chunkSize: 16 * kib, hangAfter: 64 * kib })]);
    const host = createMemoryHost({ transport, seed: 28 });
    const { session, log } = await openWithLog(host, 'resume-data-weak');
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    expect(await task.cancelProducingResumeData()).toBeNull();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await settle(host);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('discardResumeData deletes the kept bytes, and discarding again is a no-op', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 29 });
    const { session, log } = await openWithLog(host, 'discard');
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    const resumeData = await task.cancelProducingResumeData();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(host.byteData.entries.size).toBe(1);
    expect(host.storeData.records.get('resumeData')?.size).toBe(1);

    await session.discardResumeData(resumeData!);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    expect(host.storeData.records.get('resumeData')?.size).toBe(0);
    await expect(session.discardResumeData(resumeData!)).resolves.toBeUndefined();
    await session.close();
  });

  it('resume data expires after resumeDataLifetime and its bytes are deleted', async () => {
    const transport = stallingThenServing(64 * kib);
    const host = createMemoryHost({ transport, seed: 30 });
    const log = eventLog();
    const session = await host.open({ identifier: 'expire', checkpointBytes: 32 * kib, resumeDataLifetime: 60_000 }, { listener: recordingListener(log) });
    const task = await session.download({ url });
    await untilKept(host, task, 64 * kib);
    const resumeData = await task.cancelProducingResumeData();
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await runUntil(host, () => host.byteData.entries.size === 0, 10_000, 20);
    await expect(session.download(resumeData!)).rejects.toMatchObject({ code: 'InvalidResumeData' });
    await session.close();
  });
});

describe('resume data in a final error', () => {
  it('a download that fails for good after keeping bytes carries resume data in its error, and it resumes', async () => {
    const transport = createScriptedTransport([
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib, failAfter: { bytes: 96 * kib, code: 'ConnectionFailed' } }),
      { type: 'respond', status: 403, body: 'link expired' },
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * kib }),
    ]);
    const host = createMemoryHost({ transport, seed: 32 });
    const { session, log } = await openWithLog(host, 'resume-after-failure');
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const failed = completions(log, task.taskIdentifier)[0]!;
    expect(failed.error).toMatchObject({ code: 'HttpStatus', status: 403 });
    expect(typeof failed.error?.resumeData).toBe('string');

    const resumed = await session.download(failed.error!.resumeData!);
    await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
    expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
    expect(bytesAskedFrom(transport.requests)).toEqual([null, 96 * kib, 96 * kib]);
    expect(firstDifference(log.files.get(resumed.taskIdentifier), content)).toBe(-1);
    await session.close();
  });
});
