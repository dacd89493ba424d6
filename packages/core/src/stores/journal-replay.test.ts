import { describe, expect, it } from 'vitest';
import { crc32 } from './journal-crc32.js';
import { flipped, journalOf, openWith, put, tasksOf as tasks, testDirectory as directory, testJournal as journal, type Frame } from './journal-frames.test-helpers.js';
import { replayJournal } from './journal-replay.js';
import { createJournalStore } from './journal-store.js';

const four = [put('1', 'one'), put('2', 'two'), put('3', 'three'), put('4', 'four')];

describe('journal replay', () => {
  it('a torn tail (the last frame cut short) is cut off, and the store works after', async () => {
    const { disk, bytes, frames } = await journalOf(four, 'crash');
    const last = frames[3] as Frame;
    const contents = await openWith(disk, bytes.subarray(0, last.start + 7));
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'two', '3': 'three' });
    expect(contents.problems).toEqual([]);
    expect((await disk.readFile(journal)).length).toBe(last.start);
    const store = createJournalStore({ fs: disk.fs, directory });
    await store.open();
    await store.commit(put('5', 'five'));
    await store.close();
    const again = await openWith(disk, await disk.readFile(journal));
    expect(tasks(again)).toEqual({ '1': 'one', '2': 'two', '3': 'three', '5': 'five' });
  });

  it('a bad checksum in the last frame with nothing valid after it is a torn write: cut, not reported', async () => {
    const { disk, bytes, frames } = await journalOf(four, 'crash');
    const contents = await openWith(disk, flipped(bytes, (frames[3] as Frame).valuesStart + 2));
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'two', '3': 'three' });
    expect(contents.problems).toEqual([]);
    expect((await disk.readFile(journal)).length).toBe((frames[3] as Frame).start);
  });

  it('after a clean close, a bad checksum in the last record is reported, not cut (the close marker proves it was durable)', async () => {
    const { disk, bytes, frames } = await journalOf(four);
    expect(frames).toHaveLength(5);
    const last = frames[3] as Frame;
    const contents = await openWith(disk, flipped(bytes, last.valuesStart + 2));
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'two', '3': 'three' });
    expect(contents.problems).toEqual([expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/4', key: '4' })]);
  });

  it('a bit flipped in a middle record\'s value: CorruptRecord for the key it touched, with the offset; later records load', async () => {
    const { disk, bytes, frames } = await journalOf([put('1', 'one'), put('2', 'two'), put('1', 'uno'), put('3', 'three')]);
    const second = frames[1] as Frame;
    const contents = await openWith(disk, flipped(bytes, second.valuesStart + 1));
    expect(tasks(contents)).toEqual({ '1': 'uno', '3': 'three' });
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/2', collection: 'tasks', key: '2', message: expect.stringContaining(`byte ${second.start}`) }),
    ]);
  });

  it('a damaged record whose key is written again later is superseded: nothing is lost, nothing reported', async () => {
    const { disk, bytes, frames } = await journalOf([put('1', 'one'), put('2', 'two'), put('2', 'deux'), put('3', 'three')]);
    const contents = await openWith(disk, flipped(bytes, (frames[1] as Frame).valuesStart + 1));
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'deux', '3': 'three' });
    expect(contents.problems).toEqual([]);
  });

  it('a bit flipped in a middle record\'s manifest: its bytes are reported (keys unknown), what was written before them is quarantined, later records load', async () => {
    const { disk, bytes, frames } = await journalOf(four);
    const second = frames[1] as Frame;
    const contents = await openWith(disk, flipped(bytes, second.manifestStart + 3));
    expect(tasks(contents)).toEqual({ '3': 'three', '4': 'four' });
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: `journal@${second.start}-${second.end}` }),
      // No header was ever written here: the damaged bytes may have held one.
      expect.objectContaining({ code: 'CorruptRecord', path: 'header' }),
      expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/1', collection: 'tasks', key: '1', message: expect.stringContaining(`before journal bytes ${second.start}-${second.end}`) }),
    ]);
  });

  it('a bit flipped in a middle frame\'s manifest length: the next frame is found again; later records load', async () => {
    const { disk, bytes, frames } = await journalOf(four);
    const second = frames[1] as Frame;
    const contents = await openWith(disk, flipped(bytes, second.start + 2));
    expect(tasks(contents)).toEqual({ '3': 'three', '4': 'four' });
    expect(contents.problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: `journal@${second.start}-${second.end}` }));
    expect(contents.problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/1', key: '1' }));
  });

  it('garbage before the first frame is reported at offset 0; every frame after it loads', async () => {
    const { disk, bytes } = await journalOf(four);
    const garbage = new TextEncoder().encode('\u0001garbage\u0002\u0003');
    const contents = await openWith(disk, new Uint8Array([...garbage, ...bytes]));
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'two', '3': 'three', '4': 'four' });
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: `journal@0-${garbage.length}` }),
      expect.objectContaining({ code: 'CorruptRecord', path: 'header' }),
    ]);
  });

  it('the first bytes cut off: the first frame is reported lost, the others load', async () => {
    const { disk, bytes, frames } = await journalOf(four);
    const contents = await openWith(disk, bytes.subarray(5));
    expect(tasks(contents)).toEqual({ '2': 'two', '3': 'three', '4': 'four' });
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: `journal@0-${(frames[0] as Frame).end - 5}` }),
      expect.objectContaining({ code: 'CorruptRecord', path: 'header' }),
    ]);
  });

  it('an unreadable header change keeps the header before it, and says so', async () => {
    const { disk, bytes, frames } = await journalOf([
      { header: { highestTaskIdentifier: 1 }, ...put('1', 'one') },
      { header: { highestTaskIdentifier: 2 }, ...put('2', 'two') },
      put('1', 'uno'),
    ]);
    const contents = await openWith(disk, flipped(bytes, (frames[1] as Frame).valuesStart + 3));
    expect(contents.header).toEqual({ highestTaskIdentifier: 1 });
    expect(tasks(contents)).toEqual({ '1': 'uno' });
    expect(contents.problems.map((p) => p.path).sort()).toEqual(['header', 'tasks/2']);
  });

  it('a frame of a newer format: UnsupportedStoreVersion, what came before loads, and the file is never written', async () => {
    const { disk, bytes, frames } = await journalOf(four);
    const newer = bytes.slice();
    const third = frames[2] as Frame;
    newer[third.start] = 2;
    new DataView(newer.buffer).setUint32(third.start + 17, crc32(newer, third.start, third.start + 17), true);
    await disk.writeFile(journal, newer);
    const store = createJournalStore({ fs: disk.fs, directory });
    const contents = await store.open();
    expect(tasks(contents)).toEqual({ '1': 'one', '2': 'two' });
    expect(contents.problems).toEqual([expect.objectContaining({ code: 'UnsupportedStoreVersion', path: `journal@${third.start}` })]);
    await expect(store.commit(put('5', 'five'))).rejects.toMatchObject({ code: 'StoreFailed' });
    await store.close().catch(() => undefined);
    expect(await disk.readFile(journal)).toEqual(newer);
  });

  it('an empty file opens empty; zeros (a file extended but never written) are a torn tail', () => {
    expect(replayJournal(new Uint8Array()).validLength).toBe(0);
    const zeros = replayJournal(new Uint8Array(100));
    expect(zeros.validLength).toBe(0);
    expect(zeros.problems).toEqual([]);
  });
});
