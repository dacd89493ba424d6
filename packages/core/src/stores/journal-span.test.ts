import { describe, expect, it } from 'vitest';
import type { StoreContents, StoreOperation } from '../ports/store.js';
import { encodeJournalSnapshot } from './journal-compaction.js';
import { crc32 } from './journal-crc32.js';
import { newSessionsDisk, putTask, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { encodeFrame } from './journal-frame.js';
import { valueLines } from './journal-span.js';
import { JournalState } from './journal-state.js';
import { createJournalStore, type JournalStore } from './journal-store.js';

// Records read from the journal are held by their place in the file, not as text (ADR 29): these
// tests reopen a store, so that its records come from the file, and compact it, so that they are
// read back from it.

const directory = '/sessions/photos';
const journal = `${directory}/journal`;
const compaction = { minimumBytes: 2048, growthFactor: 4 };

const storeOn = (disk: JournalTestDisk, options = compaction): JournalStore => createJournalStore({ fs: disk.fs, directory, compaction: options });

function tasks(contents: StoreContents): Record<string, unknown> {
  return Object.fromEntries(contents.records.get('tasks') ?? []);
}

/**
 * Writes one key over and over until the journal has been compacted `times` more times. A journal
 * compacts when it is quiet, so each commit is followed by a macrotask.
 */
async function compactions(store: JournalStore, disk: JournalTestDisk, times: number, padding = 60): Promise<void> {
  const target = disk.calls.rename + times;
  for (let i = 0; i < 2000 && disk.calls.rename < target; i += 1) {
    await store.commit(putTask('churn', { i, padding: 'x'.repeat(padding) }));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  expect(disk.calls.rename).toBe(target);
}

/** A first owner writes `records`, one commit each, and closes. */
async function written(disk: JournalTestDisk, records: Record<string, unknown>): Promise<void> {
  const store = storeOn(disk);
  await store.open();
  for (const [key, value] of Object.entries(records)) await store.commit(putTask(key, value));
  await store.close();
}

const records: Record<string, unknown> = {
  ascii: { phase: 'scheduled', url: 'https://example.com/a' },
  accented: { name: 'naïve café.pdf' },
  wide: { name: '日本語のファイル ✓', emoji: '📦' },
  ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`task-${i}`, { i, note: i % 3 === 0 ? 'Grüße' : 'plain' }])),
};

describe('journal records held by their place in the file (ADR 29)', () => {
  it('records read at the open, ASCII or not, come through two compactions and a reopen unchanged', async () => {
    const disk = await newSessionsDisk();
    await written(disk, records);
    const second = storeOn(disk);
    expect(tasks(await second.open())).toEqual(records);
    // The first compaction reads them from the old journal; the second from the first's snapshot.
    await compactions(second, disk, 2);
    await second.close();
    const third = storeOn(disk);
    const contents = await third.open();
    await third.close();
    expect(contents.problems).toEqual([]);
    expect(tasks(contents)).toEqual({ ...records, churn: expect.objectContaining({ padding: 'x'.repeat(60) }) });
  });

  it('open() again on an open store hands out the same records, read back from the file, before and after a compaction', async () => {
    const disk = await newSessionsDisk();
    await written(disk, records);
    const store = storeOn(disk);
    const first = await store.open();
    const again = await store.open();
    expect(tasks(again)).toEqual(tasks(first));
    expect(again.problems).toEqual([]);
    await compactions(store, disk, 1);
    const afterCompaction = await store.open();
    await store.close();
    expect(tasks(afterCompaction)).toEqual({ ...records, churn: expect.anything() });
  });

  it('a record whose bytes change on disk after the open is reported lost by the next compaction, never written back changed', async () => {
    const disk = await newSessionsDisk();
    await written(disk, { victim: { name: 'victim-file' }, bystander: { name: 'bystander-file' } });
    const second = storeOn(disk);
    expect(tasks(await second.open())).toEqual({ victim: { name: 'victim-file' }, bystander: { name: 'bystander-file' } });
    // Bit rot under the open store: one byte of the victim's text, which is still valid JSON after.
    const bytes = await disk.readFile(journal);
    const at = Buffer.from(bytes).indexOf('victim-file') + 1;
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'X'.charCodeAt(0);
    await disk.writeFile(journal, bytes);

    await compactions(second, disk, 1);
    const inMemory = await second.open();
    await second.close();
    const third = storeOn(disk);
    const reopened = await third.open();
    await third.close();
    for (const contents of [inMemory, reopened]) {
      expect(tasks(contents)).toEqual({ bystander: { name: 'bystander-file' }, churn: expect.anything() });
      expect(contents.problems).toEqual([
        expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/victim', key: 'victim', message: expect.stringContaining('changed on disk') }),
      ]);
    }
  });

  it('damage after more than 1,024 records held by place leaves the journal able to compact (review: liveBytes became NaN)', async () => {
    const disk = await newSessionsDisk();
    const first = storeOn(disk, { minimumBytes: 1 << 30, growthFactor: 4 });
    await first.open();
    const puts = (collection: 'tasks' | 'outbox', count: number): StoreOperation[] =>
      Array.from({ length: count }, (_, i) => ({ type: 'put', collection, key: `${collection}-${i}`, value: { i } }));
    // Outbox records after 1,100 tasks: their spans' numbers are past 1,024.
    await first.commit({ operations: puts('tasks', 1100), durability: 'strict' });
    await first.commit({ operations: puts('outbox', 50), durability: 'strict' });
    await first.commit(putTask('marker', { m: 'MARKERVALUE' }));
    await first.commit(putTask('after', 1));
    await first.close();
    // One flipped bit in the marker frame's manifest: its keys unknown, every record before it lost.
    const bytes = await disk.readFile(journal);
    const at = Buffer.from(bytes).indexOf('"marker"') + 2;
    bytes[at] = (bytes[at] as number) ^ 0x01;
    await disk.writeFile(journal, bytes);

    const second = storeOn(disk, { minimumBytes: 4096, growthFactor: 4 });
    expect((await second.open()).problems.length).toBeGreaterThan(1000);
    // The 1,150 lost records' messages are about 190 KiB of live state: large commits get past 4 times that soon.
    await compactions(second, disk, 1, 4000);
    await second.close();
    const reopened = storeOn(disk);
    const contents = await reopened.open();
    await reopened.close();
    expect(tasks(contents)).toEqual({ after: 1, churn: expect.anything() });
    expect(contents.problems.length).toBeGreaterThan(1000);
  });

  it('open() again on a journal of a newer format never compacts it: its newer frames stay (review)', async () => {
    const disk = await newSessionsDisk();
    const older = storeOn(disk, { minimumBytes: 1 << 30, growthFactor: 4 });
    await older.open();
    for (let i = 0; i < 200; i += 1) await older.commit(putTask('a', { i, padding: 'x'.repeat(100) }));
    await older.close();
    // A newer library appended a frame of format version 2.
    const before = await disk.readFile(journal);
    const encode = (text: string) => new TextEncoder().encode(text);
    const frame = encodeFrame(encode('NEWER-MANIFEST'), encode('NEWER-VALUES'), before.length);
    frame[0] = 2;
    new DataView(frame.buffer).setUint32(17, crc32(frame, 0, 17), true);
    await disk.writeFile(journal, new Uint8Array([...before, ...frame]));

    const store = storeOn(disk, { minimumBytes: 4096, growthFactor: 4 });
    expect((await store.open()).problems).toEqual([expect.objectContaining({ code: 'UnsupportedStoreVersion' })]);
    await store.open();
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    await store.close().catch(() => undefined);
    expect(disk.calls.rename).toBe(0);
    expect(Buffer.from(await disk.readFile(journal)).includes('NEWER-VALUES')).toBe(true);
  });

  it('a text placed by a compaction is counted in bytes from then on, so non-ASCII records leave the live size as it was (review: it drifted below 0)', () => {
    const state = new JournalState();
    const wide = JSON.stringify('é'.repeat(100));
    state.apply({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '1', text: wide }] });
    const snapshot = encodeJournalSnapshot(state);
    state.adopt(snapshot.table, snapshot.placed);
    state.apply({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '1', text: '{}' }] });
    const fresh = new JournalState();
    fresh.apply({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '1', text: '{}' }] });
    expect(state.liveBytes).toBe(fresh.liveBytes);
  });

  it('finds the byte range of each line, by the texts when all are ASCII and by scanning when they are not', () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    expect(valueLines(encode('{"a":1}\n{}'), 0, 10)).toEqual([
      [0, 7],
      [8, 10],
    ]);
    expect(valueLines(encode('{"a":1}\n{}'), 0, 10, ['{"a":1}', '{}'])).toEqual([
      [0, 7],
      [8, 10],
    ]);
    // "é" is two bytes: the texts' lengths no longer add up to the bytes, so the bytes are scanned.
    const bytes = encode('xx\n"é"\n{}');
    expect(valueLines(bytes, 0, bytes.length, ['xx', '"é"', '{}'])).toEqual([
      [0, 2],
      [3, 7],
      [8, 10],
    ]);
    expect(valueLines(encode('ab\ncd\nef'), 3, 5)).toEqual([[3, 5]]);
  });
});
