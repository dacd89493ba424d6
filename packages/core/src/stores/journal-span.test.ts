import { describe, expect, it } from 'vitest';
import type { StoreBatch, StoreContents } from '../ports/store.js';
import { createJournalTestDisk, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { valueLines } from './journal-span.js';
import { createJournalStore, type JournalStore } from './journal-store.js';

// Records read from the journal are held by their place in the file, not as text (ADR 29): these
// tests reopen a store, so that its records come from the file, and compact it, so that they are
// read back from it.

const directory = '/sessions/photos';
const journal = `${directory}/journal`;
const compaction = { minimumBytes: 2048, growthFactor: 4 };

function put(key: string, value: unknown): StoreBatch {
  return { operations: [{ type: 'put', collection: 'tasks', key, value }], durability: 'strict' };
}

async function newDisk(): Promise<JournalTestDisk> {
  const disk = createJournalTestDisk();
  await disk.fs.mkdir('/sessions');
  return disk;
}

const storeOn = (disk: JournalTestDisk): JournalStore => createJournalStore({ fs: disk.fs, directory, compaction });

function tasks(contents: StoreContents): Record<string, unknown> {
  return Object.fromEntries(contents.records.get('tasks') ?? []);
}

/**
 * Writes one key over and over until the journal has been compacted `times` more times. A journal
 * compacts when it is quiet, so each commit is followed by a macrotask.
 */
async function compactions(store: JournalStore, disk: JournalTestDisk, times: number): Promise<void> {
  const target = disk.calls.rename + times;
  for (let i = 0; i < 2000 && disk.calls.rename < target; i += 1) {
    await store.commit(put('churn', { i, padding: 'x'.repeat(60) }));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  expect(disk.calls.rename).toBe(target);
}

/** A first owner writes `records`, one commit each, and closes. */
async function written(disk: JournalTestDisk, records: Record<string, unknown>): Promise<void> {
  const store = storeOn(disk);
  await store.open();
  for (const [key, value] of Object.entries(records)) await store.commit(put(key, value));
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
    const disk = await newDisk();
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
    const disk = await newDisk();
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
    const disk = await newDisk();
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
