import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryFileSystem, createScriptedTransport, type ManualClock, type ScriptEntry, type ScriptedTransport } from '@bgsession/testing';
import { BgSessionError, createFileByteStore, createMemoryStore, createMemoryStoreData, createSession, type FileByteStore, type FileSystem, type MemoryStoreData, type Session } from '../index.js';
import { faultyFileSystem, readFileBytes, writeFileBytes, type FaultyFileSystem } from '../stores/file-byte-store-faults.test-helpers.js';
import { memoryPorts } from './memory-ports.test-helpers.js';
import { completions, eventLog, failureOf, firstDifference, recordingListener, runUntil, testContent, type EventLog } from './session-fixtures.test-helpers.js';

const url = 'https://uploads.example/video.mp4';
const path = '/home/me/video.mp4';
const content = testContent(300 * 1024, 11);

/** A session on the file byte store over a memory file system whose writes take the clock's time. */
interface World {
  readonly clock: ManualClock;
  readonly fs: FaultyFileSystem;
  readonly storeData: MemoryStoreData;
  open(transport: ScriptedTransport, log: EventLog): Promise<{ session: Session; byteStore: FileByteStore }>;
}

async function world(): Promise<World> {
  const clock = createManualClock();
  const fs = faultyFileSystem(createMemoryFileSystem({ now: () => clock.now() }));
  for (const directory of ['/session', '/home', '/home/me']) await fs.mkdir(directory);
  await writeFileBytes(fs, path, content);
  const storeData = createMemoryStoreData();
  return {
    clock,
    fs,
    storeData,
    async open(transport, log) {
      const byteStore = createFileByteStore({ fs, directory: '/session/bytes' });
      const ports = { ...memoryPorts(createMemoryStore({ data: storeData }), transport, clock, 5), byteStore };
      const session = await createSession({ ports, configuration: { identifier: 'uploads', retry: { base: 100, cap: 100 } }, hostOptions: { listener: recordingListener(log) } });
      return { session, byteStore };
    },
  };
}

/** What the session keeps in its byte store's parts/ (an upload's bytes copied there would show). */
async function storedParts(fs: FileSystem): Promise<readonly string[]> {
  return (await fs.lstat('/session/bytes/parts')) === null ? [] : fs.readdir('/session/bytes/parts');
}

const ok: ScriptEntry = { type: 'respond', status: 201, body: 'stored' };

describe('session.upload({ file }): an upload read from the app\'s file (semantics section 6)', () => {
  it('sends the file whole, with progress up to its size, never copies it into the store and leaves it in place', async () => {
    const at = await world();
    const transport = createScriptedTransport([ok]);
    const log = eventLog();
    const { session, byteStore } = await at.open(transport, log);
    const task = await session.upload({ url, file: path });
    expect(task.info().countOfBytesExpectedToSend).toBe(content.length);
    expect(await storedParts(at.fs)).toEqual([]);
    await runUntil(at, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0, 100, 100);

    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error).toBeNull();
    expect(completion!.response?.status).toBe(201);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.method).toBe('PUT');
    expect(firstDifference(transport.requests[0]!.body, content)).toBe(-1);
    const progress = log.transient.filter((event) => event.type === 'taskDidSendBodyData');
    expect(progress.at(-1)).toMatchObject({ totalBytesSent: content.length, totalBytesExpectedToSend: content.length });
    expect(await storedParts(at.fs)).toEqual([]);
    expect(firstDifference(await readFileBytes(at.fs, path), content)).toBe(-1);
    await session.close();
    await byteStore.close();
    expect(at.fs.openHandles).toBe(0);
  });

  it('a task created suspended, its host closed and opened again, still finds its file as it was and sends it', async () => {
    const at = await world();
    const first = await at.open(createScriptedTransport([]), eventLog());
    const created = await first.session.upload({ url, file: path, resume: false });
    await first.session.close();
    await at.clock.advanceAsync(60_000);

    const transport = createScriptedTransport([ok]);
    const log = eventLog();
    const { session, byteStore } = await at.open(transport, log);
    await session.task(created.taskIdentifier)!.resume();
    await runUntil(at, () => completions(log, created.taskIdentifier).length === 1, 100, 100);
    expect(completions(log, created.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(transport.requests[0]!.body, content)).toBe(-1);
    await session.close();
    await byteStore.close();
  });

  const changes: ReadonlyArray<readonly [string, (fs: FaultyFileSystem) => Promise<void>]> = [
    ['rewritten in place with the same size (its mtime)', (fs) => writeFileBytes(fs, path, testContent(content.length, 12))],
    ['replaced by another file with the same bytes (its identity)', async (fs) => {
      await fs.unlink(path);
      await writeFileBytes(fs, path, content);
    }],
    ['grown', (fs) => writeFileBytes(fs, path, testContent(content.length + 1, 11))],
    ['shrunk', (fs) => writeFileBytes(fs, path, content.subarray(0, 1000))],
    ['removed', (fs) => fs.unlink(path)],
    ['replaced by a symbolic link', async (fs) => {
      await fs.unlink(path);
      fs.plantSymlink(path);
    }],
  ];

  for (const [name, change] of changes) {
    it(`a file ${name} between creation and the first attempt fails the task with UploadSourceChanged, and no request is made`, async () => {
      const at = await world();
      const transport = createScriptedTransport([ok]);
      const log = eventLog();
      const { session, byteStore } = await at.open(transport, log);
      const task = await session.upload({ url, file: path, resume: false });
      await at.clock.advanceAsync(1000);
      await change(at.fs);
      await task.resume();
      await runUntil(at, () => completions(log, task.taskIdentifier).length === 1, 100, 100);

      const outcome = await task.outcome();
      expect(outcome.phase).toBe('failed');
      expect(outcome.error).toMatchObject({ code: 'UploadSourceChanged', retryable: false, path });
      expect(completions(log, task.taskIdentifier)[0]!.error).toMatchObject({ code: 'UploadSourceChanged', path });
      expect(transport.requests).toHaveLength(0);
      await session.close();
      await byteStore.close();
    });
  }

  it('a file changed after a retryable failure fails the next attempt with UploadSourceChanged before its request', async () => {
    const at = await world();
    const transport = createScriptedTransport([
      async () => {
        await at.clock.advanceAsync(1);
        await writeFileBytes(at.fs, path, testContent(content.length + 4096, 11));
        return { type: 'fail', code: 'ConnectionFailed' };
      },
      ok,
    ]);
    const log = eventLog();
    const { session, byteStore } = await at.open(transport, log);
    const task = await session.upload({ url, file: path });
    await runUntil(at, () => completions(log, task.taskIdentifier).length === 1, 100, 100);

    expect(await task.outcome()).toMatchObject({ phase: 'failed', error: { code: 'UploadSourceChanged', path } });
    expect(transport.requests).toHaveLength(1);
    await session.close();
    await byteStore.close();
  });

  it('a file changed while its bytes are read is caught before its last byte is handed over: the server never gets a whole body', async () => {
    const at = await world();
    const transport = createScriptedTransport([
      // The step is chosen after the attempt's check and before the body is read.
      async () => {
        await at.clock.advanceAsync(1);
        await writeFileBytes(at.fs, path, testContent(content.length, 13));
        return ok;
      },
      ok,
    ]);
    const log = eventLog();
    const { session, byteStore } = await at.open(transport, log);
    const task = await session.upload({ url, file: path });
    await runUntil(at, () => completions(log, task.taskIdentifier).length === 1, 100, 100);

    expect(await task.outcome()).toMatchObject({ phase: 'failed', error: { code: 'UploadSourceChanged', path } });
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.body).toBeNull();
    await session.close();
    await byteStore.close();
  });
});

describe('session.upload refuses at creation what it could not send, naming `file`', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string | undefined]> = [
    ['both a body and a file', { url, body: new Uint8Array(3), file: path }, undefined],
    ['neither a body nor a file', { url }, undefined],
    ['a file that is not there', { url, file: '/home/me/missing.mp4' }, '/home/me/missing.mp4'],
    ['a directory', { url, file: '/home/me' }, '/home/me'],
    ['a symbolic link', { url, file: '/home/me/link' }, '/home/me/link'],
    ['a relative path, with no host to resolve it', { url, file: 'me/video.mp4' }, 'me/video.mp4'],
    ['an empty path', { url, file: '' }, undefined],
    ['a path that is not a string', { url, file: 42 }, undefined],
  ];
  for (const [name, input, where] of cases) {
    it(`${name} -> InvalidArgument (file)`, async () => {
      const at = await world();
      at.fs.plantSymlink('/home/me/link');
      const transport = createScriptedTransport([]);
      const { session, byteStore } = await at.open(transport, eventLog());
      const error = await failureOf(() => session.upload(input as never));
      expect(error).toBeInstanceOf(BgSessionError);
      expect(error).toMatchObject({ code: 'InvalidArgument', field: 'file', ...(where === undefined ? {} : { path: where }) });
      expect(session.tasks()).toEqual([]);
      expect(transport.requests).toHaveLength(0);
      await session.close();
      await byteStore.close();
    });
  }

  it('a byte store that cannot read files (the memory one) refuses `file`', async () => {
    const clock = createManualClock();
    const session = await createSession({ ports: memoryPorts(createMemoryStore(), createScriptedTransport([]), clock, 6), configuration: { identifier: 'memory-uploads' } });
    const error = await failureOf(() => session.upload({ url, file: path }));
    expect(error).toMatchObject({ code: 'InvalidArgument', field: 'file' });
    expect((error as Error).message).toMatch(/cannot read files/);
    expect(session.tasks()).toEqual([]);
    await session.close();
  });
});
