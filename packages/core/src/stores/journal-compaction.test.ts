import { expectRejection } from '@bgsession/testing';
import { BgSessionError } from '../errors/bg-session-error.js';
import { describe, expect, it } from 'vitest';
import type { StoreContents } from '../ports/store.js';
import { newSessionsDisk, putTask, type DiskCall, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { frameHeaderLength, readFrameHeader } from './journal-frame.js';
import { createJournalStore, type JournalStore } from './journal-store.js';

const directory = '/sessions/photos';
const journal = `${directory}/journal`;
const temporary = `${directory}/journal.tmp`;
const compaction = { minimumBytes: 2048, growthFactor: 4 };

const storeOn = (disk: JournalTestDisk): JournalStore => createJournalStore({ fs: disk.fs, directory, compaction });

async function reopen(disk: JournalTestDisk): Promise<StoreContents> {
  const store = storeOn(disk);
  const contents = await store.open();
  await store.close();
  return contents;
}

function tasks(contents: StoreContents): Record<string, unknown> {
  return Object.fromEntries(contents.records.get('tasks') ?? []);
}

/** Overwrites a few keys until the journal is well past the threshold; returns what is live. */
async function churn(store: JournalStore, rounds: number): Promise<Record<string, unknown>> {
  const live: Record<string, unknown> = {};
  for (let i = 0; i < rounds; i += 1) {
    const key = String(i % 5);
    live[key] = { round: i, padding: 'x'.repeat(40) };
    await store.commit({ header: { highestTaskIdentifier: i }, ...putTask(key, live[key]) });
  }
  await store.commit({ operations: [{ type: 'put', collection: 'outbox', key: '1', value: ['kept'] }, { type: 'delete', collection: 'tasks', key: '0' }], durability: 'strict' });
  delete live['0'];
  return live;
}

describe('journal compaction', () => {
  it('tells its probe of every append before the write and of each compaction rename before the rename', async () => {
    const disk = await newSessionsDisk();
    const seen: string[] = [];
    const store = createJournalStore({
      fs: disk.fs,
      directory,
      compaction,
      probe: { pass: (point) => seen.push(`${point}@${disk.calls.write}/${disk.calls.rename}`) },
    });
    await store.open();
    await churn(store, 200);
    await store.close();
    const appends = seen.filter((entry) => entry.startsWith('journal-append'));
    const renames = seen.filter((entry) => entry.startsWith('compaction-rename'));
    expect(appends.length).toBeGreaterThanOrEqual(200);
    expect(renames.length).toBe(disk.calls.rename);
    // Nothing of the step had started when the probe was told: the rename count had not moved yet.
    renames.forEach((entry, index) => expect(entry.endsWith(`/${index}`)).toBe(true));
  });

  it('rewrites the journal once it outgrows its live state, keeping the header and every record, across reopen', async () => {
    const disk = await newSessionsDisk();
    const store = storeOn(disk);
    await store.open();
    const live = await churn(store, 200);
    await store.close();
    expect(disk.calls.rename).toBeGreaterThan(0);
    const size = (await disk.fs.lstat(journal))?.size ?? 0;
    expect(size).toBeLessThan(4 * compaction.minimumBytes);
    expect(await disk.fs.lstat(temporary)).toBeNull();
    const contents = await reopen(disk);
    expect(contents.header).toEqual({ highestTaskIdentifier: 199 });
    expect(tasks(contents)).toEqual(live);
    expect(Object.fromEntries(contents.records.get('outbox') ?? [])).toEqual({ '1': ['kept'] });
    expect(contents.problems).toEqual([]);
  });

  it('compacts a busy journal too: commits called each as the one before resolves, never leaving it quiet, are held back while it compacts', async () => {
    const disk = await newSessionsDisk();
    const store = storeOn(disk);
    await store.open();
    let last = 0;
    for (let i = 0; i < 400; i += 1) {
      // No pause between commits: the next is called in the same turn as the one before resolved.
      await store.commit(putTask(String(i % 5), { i, padding: 'x'.repeat(40) }));
      last = i;
    }
    const renamesBeforeClose = disk.calls.rename;
    await store.close();
    expect(renamesBeforeClose).toBeGreaterThan(2);
    expect((await disk.fs.lstat(journal))?.size ?? 0).toBeLessThan(4 * compaction.minimumBytes);
    const contents = await reopen(disk);
    expect(contents.problems).toEqual([]);
    expect(tasks(contents)[String(last % 5)]).toEqual({ i: last, padding: 'x'.repeat(40) });
    expect(Object.keys(tasks(contents)).sort()).toEqual(['0', '1', '2', '3', '4']);
  });

  it('a record lost to damage stays reported after compaction, until it is written again', async () => {
    const disk = await newSessionsDisk();
    const first = storeOn(disk);
    await first.open();
    await first.commit(putTask('lost', 'value'));
    await first.commit(putTask('other', 'value'));
    await first.close();
    const bytes = await disk.readFile(journal);
    const at = frameHeaderLength + (readFrameHeader(bytes, 0)?.manifestLength ?? 0) + 1;
    bytes[at] = (bytes[at] as number) ^ 0x01;
    await disk.writeFile(journal, bytes);

    const second = storeOn(disk);
    expect((await second.open()).problems).toEqual([expect.objectContaining({ path: 'tasks/lost' })]);
    await churn(second, 200);
    await second.close();
    expect(disk.calls.rename).toBeGreaterThan(0);
    const third = storeOn(disk);
    expect((await third.open()).problems).toEqual([expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/lost', key: 'lost' })]);
    await third.commit(putTask('lost', 'rewritten'));
    await third.close();
    const contents = await reopen(disk);
    expect(contents.problems).toEqual([]);
    expect(tasks(contents)['lost']).toBe('rewritten');
  });

  it('a full disk reported by the directory sync after the rename fails the store, and every commit survives the reopen (review)', async () => {
    const disk = await newSessionsDisk();
    const store = storeOn(disk);
    await store.open();
    const live: Record<string, unknown> = {};
    disk.failNext('fsyncDir', { error: new BgSessionError('DiskFull', 'ENOSPC'), path: directory });
    let failed: unknown = null;
    for (let i = 0; i < 500 && failed === null; i += 1) {
      const key = String(i % 5);
      failed = await store.commit(putTask(key, { i, padding: 'x'.repeat(80) })).then(
        () => null,
        (error: unknown) => error,
      );
      if (failed === null) live[key] = { i, padding: 'x'.repeat(80) };
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(disk.calls.rename).toBe(1);
    expect(failed).toMatchObject({ code: 'StoreFailed', message: expect.stringContaining('could not compact') });
    await store.close().catch(() => undefined);
    const contents = await reopen(disk);
    expect(contents.problems).toEqual([]);
    expect(tasks(contents)).toEqual(live);
  });

  const steps: ReadonlyArray<readonly [DiskCall, string]> = [
    ['truncate', temporary],
    ['write', temporary],
    ['datasync', temporary],
    ['rename', temporary],
    ['fsyncDir', directory],
  ];
  for (const [call, path] of steps) {
    it(`a failed ${call} during compaction fails the store, and the journal left behind holds every commit`, async () => {
      const disk = await newSessionsDisk();
      const store = storeOn(disk);
      await store.open();
      const live: Record<string, unknown> = {};
      let armed = false;
      let failed: unknown = null;
      for (let i = 0; i < 200 && failed === null; i += 1) {
        const key = String(i % 5);
        // Armed late, so that the open's own calls are not the ones to fail.
        if (!armed && i > 10) {
          disk.failNext(call, { path });
          armed = true;
        }
        failed = await store.commit(putTask(key, i)).then(
          () => null,
          (error: unknown) => error,
        );
        if (failed === null) live[key] = i;
      }
      expect(failed).toMatchObject({ code: 'StoreFailed', message: expect.stringContaining('could not compact') });
      await expectRejection(store.commit(putTask('after', 1)), 'StoreFailed');
      await store.close().catch(() => undefined);
      const contents = await reopen(disk);
      expect(tasks(contents)).toEqual(live);
      expect(contents.problems).toEqual([]);
    });
  }
});
