import { createManualClock, expectRejection } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { StoreBatch, StoreContents } from '../ports/store.js';
import { createJournalTestDisk, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { createJournalStore } from './journal-store.js';
import type { JournalStoreOptions } from './journal-store.js';

const directory = '/sessions/photos';
const journal = `${directory}/journal`;

function put(key: string, value: unknown, durability: 'strict' | 'relaxed' = 'strict'): StoreBatch {
  return { operations: [{ type: 'put', collection: 'tasks', key, value }], durability };
}

async function newDisk(): Promise<JournalTestDisk> {
  const disk = createJournalTestDisk();
  await disk.fs.mkdir('/sessions');
  return disk;
}

function storeOn(disk: JournalTestDisk, options: Partial<JournalStoreOptions> = {}) {
  return createJournalStore({ fs: disk.fs, directory, ...options });
}

async function reopen(disk: JournalTestDisk): Promise<StoreContents> {
  const store = storeOn(disk);
  const contents = await store.open();
  await store.close();
  return contents;
}

function tasks(contents: StoreContents): Record<string, unknown> {
  return Object.fromEntries(contents.records.get('tasks') ?? []);
}

/** Lets every queued promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createJournalStore', () => {
  it('group commit: twenty commits called together share one write and one datasync, applied in call order', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    const before = { ...disk.calls };
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.commit(put('k', i))));
    expect(disk.calls.datasync - before.datasync).toBe(1);
    expect(disk.calls.write - before.write).toBe(1);
    await store.close();
    expect(tasks(await reopen(disk))).toEqual({ k: 19 });
  });

  it('group commit: commits called while a sync is in flight wait for the next one, and no commit resolves before its sync', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    const release = disk.holdSyncs();
    const resolved: string[] = [];
    const first = store.commit(put('a', 1)).then(() => resolved.push('a'));
    await settle();
    expect(disk.calls.datasync).toBe(1);
    const later = ['b', 'c', 'd'].map((key) => store.commit(put(key, 1)).then(() => resolved.push(key)));
    await settle();
    expect(resolved).toEqual([]);
    release();
    await Promise.all([first, ...later]);
    expect(resolved).toEqual(['a', 'b', 'c', 'd']);
    // One sync for the first, one for the three that queued behind it.
    expect(disk.calls.datasync).toBe(2);
    await store.close();
  });

  it('a failed datasync fails the store: that commit and every later call reject with StoreFailed, and the sync is never retried', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    await store.commit(put('1', 'kept'));
    disk.failNext('datasync');
    const error = await expectRejection(store.commit(put('2', 'lost')), 'StoreFailed');
    expect(error.message).toContain('sync');
    const syncs = disk.calls.datasync;
    await expectRejection(store.commit(put('3', 'after')), 'StoreFailed');
    await expectRejection(store.close(), 'StoreFailed');
    expect(disk.calls.datasync).toBe(syncs);
    // The failed commit's frame was cut off, so the next owner does not see it.
    expect(tasks(await reopen(disk))).toEqual({ '1': 'kept' });
  });

  it('without a clock to wait with, a full disk (DiskFull from the port) fails the store with StoreFailed, carrying the cause', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    const full = new BgSessionError('DiskFull', 'No space left on device (ENOSPC).');
    disk.failNext('write', { error: full });
    const error = await expectRejection(store.commit(put('1', 'x'.repeat(1000))), 'StoreFailed');
    expect(error.cause).toBe(full);
    await expectRejection(store.commit(put('2', 'y')), 'StoreFailed');
    await store.close().catch(() => undefined);
    expect(tasks(await reopen(disk))).toEqual({});
  });

  it('with a clock, a full disk waits: the commit stays pending, is re-tried every 30 s, and lands once space is back', async () => {
    const disk = await newDisk();
    const clock = createManualClock();
    const store = storeOn(disk, { clock });
    await store.open();
    const full = new BgSessionError('DiskFull', 'No space left on device (ENOSPC).');
    disk.failNext('write', { error: full });
    let settled = false;
    const commit = store.commit(put('1', 'x'.repeat(1000))).finally(() => {
      settled = true;
    });
    await clock.advanceAsync(29_000);
    expect(settled).toBe(false);
    await clock.advanceAsync(1_000);
    await commit;
    await store.commit(put('2', 'y'));
    await store.close();
    expect(tasks(await reopen(disk))).toEqual({ '1': 'x'.repeat(1000), '2': 'y' });
  });

  it('relaxed with a clock: resolves after the append, and the sync follows within 100 ms', async () => {
    const disk = await newDisk();
    const clock = createManualClock();
    const store = storeOn(disk, { clock });
    await store.open();
    const syncs = disk.calls.datasync;
    await store.commit(put('1', 'relaxed', 'relaxed'));
    expect(disk.calls.datasync).toBe(syncs);
    await clock.advanceAsync(100);
    expect(disk.calls.datasync).toBe(syncs + 1);
    await store.close();
  });

  it('relaxed with a clock: a commit that resolved before the disk filled is still synced within 100 ms while the store waits for space (review)', async () => {
    const disk = await newDisk();
    const clock = createManualClock();
    const store = storeOn(disk, { clock });
    await store.open();
    await store.commit(put('1', 'relaxed', 'relaxed'));
    const syncs = disk.calls.datasync;
    disk.failNext('write', { error: new BgSessionError('DiskFull', 'No space left on device (ENOSPC).') });
    const waiting = store.commit(put('2', 'strict'));
    await clock.advanceAsync(100);
    expect(disk.calls.datasync).toBe(syncs + 1);
    // A power loss now keeps the relaxed commit.
    const other = await newDisk();
    await other.fs.mkdir(directory);
    await other.writeFile(journal, disk.crashImage(journal, () => 'drop'));
    expect(tasks(await reopen(other))).toEqual({ '1': 'relaxed' });
    await clock.advanceAsync(30_000);
    await waiting;
    await store.close();
    expect(tasks(await reopen(disk))).toEqual({ '1': 'relaxed', '2': 'strict' });
  });

  it('relaxed without a clock is synced before it resolves (there is no way to keep a deadline)', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    const syncs = disk.calls.datasync;
    await store.commit(put('1', 'relaxed', 'relaxed'));
    expect(disk.calls.datasync).toBe(syncs + 1);
    await store.close();
  });

  it('close syncs what relaxed commits left unsynced', async () => {
    const disk = await newDisk();
    const store = storeOn(disk, { clock: createManualClock() });
    await store.open();
    await store.commit(put('1', 'relaxed', 'relaxed'));
    const syncs = disk.calls.datasync;
    await store.close();
    expect(disk.calls.datasync).toBe(syncs + 1);
    // What power loss keeps is what was synced: the relaxed commit is in it.
    expect(disk.crashImage(journal, () => 'drop').length).toBeGreaterThan(0);
    expect(tasks(await reopen(disk))).toEqual({ '1': 'relaxed' });
  });

  it('a strict commit after a relaxed one covers both with its sync', async () => {
    const disk = await newDisk();
    const clock = createManualClock();
    const store = storeOn(disk, { clock });
    await store.open();
    await store.commit(put('1', 'relaxed', 'relaxed'));
    await store.commit(put('2', 'strict'));
    // Every byte is synced now: a power loss keeps both.
    const image = disk.crashImage(journal, () => 'drop');
    const other = await newDisk();
    await other.fs.mkdir(directory);
    await other.writeFile(journal, image);
    expect(tasks(await reopen(other))).toEqual({ '1': 'relaxed', '2': 'strict' });
    await store.close();
  });

  it('open is exclusive through the file system lock, which close releases', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    await expectRejection(storeOn(disk).open(), 'SessionInUse');
    await store.close();
    await reopen(disk);
  });

  it('the directory is created when missing', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    expect((await store.open()).problems).toEqual([]);
    expect((await disk.fs.lstat(directory))?.type).toBe('directory');
    await store.close();
  });

  it('a value that is not JSON fails the store, naming where it was; nothing of it is written', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    await store.commit(put('1', 'kept'));
    const error = await expectRejection(store.commit(put('2', 10n)), 'StoreFailed');
    expect(error.path).toBe('tasks/2');
    await expectRejection(store.commit(put('3', 'after')), 'StoreFailed');
    await store.close().catch(() => undefined);
    expect(tasks(await reopen(disk))).toEqual({ '1': 'kept' });
  });

  it('fence: the dead owner lets go of the lock; its late commits are refused and never seen', async () => {
    const disk = await newDisk();
    const dead = storeOn(disk);
    await dead.open();
    await dead.commit(put('1', 'before'));
    await dead.fence();
    const next = storeOn(disk);
    expect(tasks(await next.open())).toEqual({ '1': 'before' });
    await expectRejection(dead.commit(put('2', 'late')), 'StoreFailed');
    await expectRejection(dead.close(), 'StoreFailed');
    await next.close();
    expect(tasks(await reopen(disk))).toEqual({ '1': 'before' });
  });

  it('a compaction left half done by a crash (journal.tmp) is removed at open; the journal is intact', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    await store.commit(put('1', 'kept'));
    await store.close();
    await disk.writeFile(`${directory}/journal.tmp`, new TextEncoder().encode('half a snapshot'));
    expect(tasks(await reopen(disk))).toEqual({ '1': 'kept' });
    expect(await disk.fs.lstat(`${directory}/journal.tmp`)).toBeNull();
  });

  it('a killed owner\'s unsynced writes are synced by the next owner before it appends, so a power loss then leaves a prefix', async () => {
    const disk = await newDisk();
    const first = storeOn(disk);
    await first.open();
    await first.commit(put('a', 1));
    disk.freezeAfter(1); // B's write lands (in the page cache); its sync never happens: the process dies.
    void first.commit(put('b', 1)).catch(() => undefined);
    await settle();
    await first.fence();
    disk.freezeAfter(Infinity);
    const second = storeOn(disk);
    expect(tasks(await second.open())).toEqual({ a: 1, b: 1 });
    disk.freezeAfter(1); // C's write lands, then the power goes.
    void second.commit(put('c', 1)).catch(() => undefined);
    await settle();
    // The first unsynced piece is garbled, the rest kept.
    const image = disk.crashImage(journal, (piece) => (piece === 0 ? 'garble' : 'keep'));
    const after = await newDisk();
    await after.fs.mkdir(directory);
    await after.writeFile(journal, image);
    const contents = await reopen(after);
    expect(contents.problems).toEqual([]);
    expect(tasks(contents)).toEqual({ a: 1, b: 1 });
  });

  it('100,000 records commit and load', async () => {
    const disk = await newDisk();
    const store = storeOn(disk);
    await store.open();
    for (let batch = 0; batch < 100; batch += 1) {
      const operations = Array.from({ length: 1000 }, (_, i) => {
        const id = batch * 1000 + i;
        return { type: 'put' as const, collection: 'tasks' as const, key: String(id), value: { taskIdentifier: id, phase: 'scheduled', progress: { countOfBytesReceived: id } } };
      });
      await store.commit({ header: { highestTaskIdentifier: batch * 1000 + 999 }, operations, durability: 'strict' });
    }
    await store.close();
    const contents = await reopen(disk);
    expect(contents.records.get('tasks')?.size).toBe(100_000);
    expect(contents.records.get('tasks')?.get('99999')).toEqual({ taskIdentifier: 99_999, phase: 'scheduled', progress: { countOfBytesReceived: 99_999 } });
    expect(contents.header).toEqual({ highestTaskIdentifier: 99_999 });
    expect(contents.problems).toEqual([]);
  });
});
