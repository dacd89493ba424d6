import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileHandle, FileSystem, Task } from '@bgsession/core';
import { createManualClock, expectRejection } from '@bgsession/testing';
import { fileSystemError } from '../file-system/file-system-error.js';
import { createNodeFileSystem } from '../file-system/node-file-system.js';
import { generatedContent, startRangeServer, type RangeServer } from '../host/range-server.test-helpers.js';
import { createCleanup, openWiredSession, scratchDirectory, until, within } from './hostile-servers.test-helpers.js';

// faults.md C20. Linux gives no way to make a real EIO or a real full disk without mounting
// something (root, a loop device or FUSE), so the Node file system is wrapped: each failure is
// the Node error the kernel would give (code EIO / ENOSPC), classified by the adapter's own
// `fileSystemError`, exactly as node-file-system.ts does for a real one.

/** What the wrapper injects; change it at any time. */
interface Faults {
  /** Journal writes fail with EIO. */
  journalWrite: boolean;
  /** Journal fsyncs fail with EIO. */
  journalSync: boolean;
  /** A write that would take a part file in the byte store past this many bytes fails with ENOSPC. */
  partLimit: number;
}

function errnoError(code: 'EIO' | 'ENOSPC', syscall: string): Error {
  const text = code === 'EIO' ? 'i/o error' : 'no space left on device';
  return Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, errno: code === 'EIO' ? -5 : -28, syscall });
}

/** The Node file system, failing as `faults` says; counts journal fsyncs. */
function faultyFileSystem(): { fs: FileSystem; faults: Faults; journalSyncs: () => number } {
  const base = createNodeFileSystem();
  const faults: Faults = { journalWrite: false, journalSync: false, partLimit: Number.POSITIVE_INFINITY };
  let journalSyncs = 0;
  const isJournal = (path: string): boolean => path.endsWith(`${sep}store${sep}journal`);
  const isPart = (path: string): boolean => path.includes(`${sep}bytes${sep}parts${sep}`);
  const wrap = (handle: FileHandle, path: string): FileHandle => ({
    read: (position, length) => handle.read(position, length),
    truncate: (length) => handle.truncate(length),
    size: () => handle.size(),
    close: () => handle.close(),
    async write(bytes, position) {
      if (isJournal(path) && faults.journalWrite) throw fileSystemError(errnoError('EIO', 'write'), 'write', path);
      if (isPart(path) && (await handle.size()) + bytes.length > faults.partLimit) throw fileSystemError(errnoError('ENOSPC', 'write'), 'write', path);
      return handle.write(bytes, position);
    },
    async datasync() {
      if (isJournal(path)) {
        journalSyncs += 1;
        if (faults.journalSync) throw fileSystemError(errnoError('EIO', 'fdatasync'), 'sync', path);
      }
      return handle.datasync();
    },
  });
  const fs: FileSystem = { ...base, open: async (path, options) => wrap(await base.open(path, options), path) };
  return { fs, faults, journalSyncs: () => journalSyncs };
}

describe('C20: a journal write or fsync that fails with EIO', () => {
  const cleanup = createCleanup();
  let directory: string;
  beforeEach(async () => {
    directory = join(await scratchDirectory(cleanup), 'session');
  });
  afterEach(() => cleanup.run());

  it.each([
    ['an fsync', 'journalSync'],
    ['a write', 'journalWrite'],
  ] as const)('%s: StoreFailed on every call until reopened, the sync never retried, nothing after the last good commit after reopening', async (_name, fault) => {
    const faulty = faultyFileSystem();
    const session = await openWiredSession(cleanup, { directory, fs: faulty.fs });
    const kept = await session.download({ url: 'http://127.0.0.1:9/kept.bin', resume: false });
    faulty.faults[fault] = true;
    const syncsBefore = faulty.journalSyncs();
    await expectRejection(session.download({ url: 'http://127.0.0.1:9/lost.bin', resume: false }), 'StoreFailed');
    const syncsAtFailure = faulty.journalSyncs() - syncsBefore;
    expect(syncsAtFailure).toBe(fault === 'journalSync' ? 1 : 0);
    // The disk is fine again, but the session does not trust it: every call is refused.
    faulty.faults[fault] = false;
    const calls: (() => Promise<unknown>)[] = [
      () => session.download({ url: 'http://127.0.0.1:9/after.bin', resume: false }),
      () => session.upload({ url: 'http://127.0.0.1:9/up', body: new Uint8Array(3) }),
      () => session.data({ url: 'http://127.0.0.1:9/data' }),
      () => session.acknowledge('00000000000000000000000000000000'),
      () => session.credentialsChanged(),
      () => session.finishTasksAndInvalidate(),
      () => session.invalidateAndCancel(),
      () => kept.resume(),
      () => kept.suspend(),
      () => kept.cancel(),
      () => kept.cancelProducingResumeData(),
    ];
    for (let round = 0; round < 2; round += 1) for (const call of calls) await expectRejection(call(), 'StoreFailed');
    expect(() => session.events()).toThrow(expect.objectContaining({ code: 'StoreFailed' }) as Error);
    await session.close();
    // A failed fsync is never retried: the kernel may have dropped the pages it could not write.
    expect(faulty.journalSyncs() - syncsBefore).toBe(syncsAtFailure);

    const reopened = await openWiredSession(cleanup, { directory });
    expect(reopened.tasks().map((task) => task.taskIdentifier)).toEqual([kept.taskIdentifier]);
    expect(reopened.tasks().map((task) => task.info().originalRequest.url)).toEqual(['http://127.0.0.1:9/kept.bin']);
    expect((await reopened.download({ url: 'http://127.0.0.1:9/new.bin', resume: false })).taskIdentifier).toBeGreaterThan(kept.taskIdentifier);
  });
});

describe('C20: ENOSPC in the byte store mid-download', () => {
  const cleanup = createCleanup();
  const size = 1024 * 1024;
  const limit = 300_000;
  let server: RangeServer;
  let parent: string;
  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    server = await startRangeServer(generatedContent(size));
    cleanup.defer(() => server.close());
  });
  afterEach(() => cleanup.run());

  async function fullDiskDownload(timeoutForResource?: number) {
    const faulty = faultyFileSystem();
    faulty.faults.partLimit = limit;
    // Storage is re-checked every 30 s: a manual clock makes that wait instant and exact.
    const clock = createManualClock({ now: Date.now() });
    const session = await openWiredSession(cleanup, { directory: join(parent, 'session'), fs: faulty.fs, clock });
    const destination = join(parent, 'file.bin');
    const task = await session.download({
      url: server.url,
      destination: { type: 'path', path: destination, ifExists: 'fail' },
      ...(timeoutForResource === undefined ? {} : { timeoutForResource }),
    });
    const part = join(parent, 'session', 'bytes', 'parts', `part-${task.taskIdentifier}`);
    await waitForStorage(task, 1);
    return { faulty, clock, session, task, destination, part };
  }

  async function waitForStorage(task: Task, requests: number): Promise<void> {
    await until(() => server.requests.length === requests && task.info().reason === 'storage', 10_000, `attempt ${requests} to wait for storage`);
  }

  it('waits with reason storage, keeps its bytes, and continues by Range when space returns', async () => {
    const { faulty, clock, task, destination, part } = await fullDiskDownload();
    expect(task.info()).toMatchObject({ state: 'running', phase: 'scheduled', reason: 'storage' });
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(limit);
    // No attempt before the re-check, whatever else happens.
    await clock.advanceAsync(29_000);
    expect(server.requests).toHaveLength(1);
    expect((await stat(part)).size).toBe(kept);

    faulty.faults.partLimit = Number.POSITIVE_INFINITY;
    await clock.advanceAsync(1_000);
    const outcome = await within(task.outcome(), 10_000, 'the download to end');
    expect(outcome.phase).toBe('succeeded');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]).toMatchObject({ range: `bytes=${kept}-`, 'if-range': expect.stringMatching(/^"/) as string });
    expect(createHash('sha256').update(await readFile(destination)).digest('hex')).toBe(server.sha256);
  });

  it('still ends timedOut with ResourceTimeout at the resource deadline while the disk stays full', async () => {
    const { clock, task, part } = await fullDiskDownload(45_000);
    const kept = (await stat(part)).size;
    await clock.advanceAsync(30_000);
    // The re-check tried again from the kept bytes, and the disk was still full.
    await waitForStorage(task, 2);
    expect(server.requests[1]).toMatchObject({ range: `bytes=${kept}-` });
    await clock.advanceAsync(15_000);
    const outcome = await within(task.outcome(), 10_000, 'the resource timeout');
    expect(outcome.phase).toBe('timedOut');
    expect(outcome.error?.code).toBe('ResourceTimeout');
  });
});
