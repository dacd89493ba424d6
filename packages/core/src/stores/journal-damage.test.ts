import { describe, expect, it } from 'vitest';
import type { StoreBatch } from '../ports/store.js';
import { encodeJournalBatch } from './journal-batch.js';
import { encodeJournalSnapshot } from './journal-compaction.js';
import { encodeFrame } from './journal-frame.js';
import { flipped, framesOf, journalOf, openWith, put, tasksOf as tasks, testJournal, type Frame } from './journal-frames.test-helpers.js';
import { replayJournal } from './journal-replay.js';
import { JournalState } from './journal-state.js';

/** A task's creation as the session commits it: the header, with the identifier it issued, and the task. */
function created(id: number): StoreBatch {
  return { header: { highestTaskIdentifier: id }, ...put(String(id), `task ${id}`) };
}

const three = [created(1), created(2), created(3)];

describe('journal replay: damage whose keys are unknown', () => {
  it('a bit flipped in a middle frame\'s durableBefore: the frame is read back from its own checksums; nothing is lost or reported', async () => {
    const { disk, bytes, frames } = await journalOf(three);
    const contents = await openWith(disk, flipped(bytes, (frames[1] as Frame).start + 10));
    expect(tasks(contents)).toEqual({ '1': 'task 1', '2': 'task 2', '3': 'task 3' });
    expect(contents.header).toEqual({ highestTaskIdentifier: 3 });
    expect(contents.problems).toEqual([]);
  });

  it('a bit flipped in a middle frame\'s values length: the frame is read back over the rest of the run; nothing is lost or reported', async () => {
    const { disk, bytes, frames } = await journalOf(three);
    const contents = await openWith(disk, flipped(bytes, (frames[1] as Frame).start + 5, 0x01));
    expect(tasks(contents)).toEqual({ '1': 'task 1', '2': 'task 2', '3': 'task 3' });
    expect(contents.problems).toEqual([]);
  });

  it('a middle frame\'s header and values both hit: its keys are still known, only they are lost', async () => {
    const { disk, bytes, frames } = await journalOf(three);
    const second = frames[1] as Frame;
    const contents = await openWith(disk, flipped(flipped(bytes, second.start + 10), second.valuesStart + 1));
    expect(tasks(contents)).toEqual({ '1': 'task 1', '3': 'task 3' });
    expect(contents.header).toEqual({ highestTaskIdentifier: 3 });
    expect(contents.problems).toEqual([expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/2', key: '2' })]);
  });

  it('a middle frame whose header cannot be read back: what was written before it is quarantined, later writes load, and the header written after it is not doubted', async () => {
    const { disk, bytes, frames } = await journalOf([created(1), put('1', 'task 1 running'), created(2), created(3), put('2', 'task 2 running')]);
    const hit = frames[2] as Frame;
    // The manifest length: the frame cannot be found again from its own bytes.
    const contents = await openWith(disk, flipped(bytes, hit.start + 3));
    expect(tasks(contents)).toEqual({ '2': 'task 2 running', '3': 'task 3' });
    expect(contents.header).toEqual({ highestTaskIdentifier: 3 });
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: `journal@${hit.start}-${hit.end}` }),
      expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/1', key: '1' }),
    ]);
  });

  it('a record deleted by the damaged frame does not come back: it is reported lost instead', async () => {
    const ack: StoreBatch = { operations: [{ type: 'delete', collection: 'outbox', key: '1' }, { type: 'delete', collection: 'tasks', key: '1' }], durability: 'strict' };
    const end: StoreBatch = {
      header: { highestTaskIdentifier: 1, highestSequence: 1 },
      operations: [
        { type: 'put', collection: 'tasks', key: '1', value: 'task 1 ended' },
        { type: 'put', collection: 'outbox', key: '1', value: 'event 1' },
      ],
      durability: 'strict',
    };
    const { disk, bytes, frames } = await journalOf([created(1), end, ack]);
    const hit = frames[2] as Frame;
    const contents = await openWith(disk, flipped(bytes, hit.manifestStart + 5));
    expect(tasks(contents)).toEqual({});
    expect(Object.fromEntries(contents.records.get('outbox') ?? [])).toEqual({});
    expect(contents.problems).toEqual([
      expect.objectContaining({ path: `journal@${hit.start}-${hit.end}` }),
      expect.objectContaining({ path: 'header', message: expect.stringContaining('out of date') }),
      expect.objectContaining({ path: 'tasks/1', collection: 'tasks', key: '1' }),
      expect.objectContaining({ path: 'outbox/1', collection: 'outbox', key: '1' }),
    ]);
  });

  it('damage in the last frame before a good tail (the close marker) is reported, not cut, and says the header before it may be out of date', async () => {
    const { disk, bytes, frames } = await journalOf(three);
    expect(frames).toHaveLength(4);
    const last = frames[2] as Frame;
    const contents = await openWith(disk, flipped(bytes, last.start + 3));
    expect(tasks(contents)).toEqual({});
    expect(contents.header).toEqual({ highestTaskIdentifier: 2 });
    expect(contents.problems.map((problem) => problem.path)).toEqual([`journal@${last.start}-${last.end}`, 'header', 'tasks/1', 'tasks/2']);
    expect((await disk.readFile(testJournal)).length).toBe(bytes.length);
  });

  it('damage in the header of the last frame with nothing valid after it is a torn write: cut, not reported, not read back', async () => {
    const { disk, bytes, frames } = await journalOf(three, 'crash');
    const last = frames[2] as Frame;
    const contents = await openWith(disk, flipped(bytes, last.start + 10));
    expect(tasks(contents)).toEqual({ '1': 'task 1', '2': 'task 2' });
    expect(contents.problems).toEqual([]);
    expect((await disk.readFile(testJournal)).length).toBe(last.start);
  });

  it('inside a compaction snapshot, a frame whose keys are unknown loses only its own records; a damaged frame appended after the snapshot quarantines it', () => {
    const state = new JournalState();
    const big = 'x'.repeat(100 * 1024);
    state.apply({ headerText: '{"highestTaskIdentifier":5}', entries: [1, 2, 3, 4, 5].map((i) => ({ type: 'put' as const, collection: 'tasks' as const, key: String(i), text: JSON.stringify(`${i}${big}`) })) });
    const snapshot = encodeJournalSnapshot(state).bytes;
    const snapshotFrames = framesOf(snapshot);
    expect(snapshotFrames).toHaveLength(3);
    const middle = snapshotFrames[1] as Frame;

    const inside = replayJournal(flipped(snapshot, middle.manifestStart + 3));
    expect([...(inside.state.records.get('tasks')?.keys() ?? [])]).toEqual(['1', '2', '5']);
    expect(inside.problems).toEqual([expect.objectContaining({ path: `journal@${middle.start}-${middle.end}` })]);

    const appended = encodeJournalBatch({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '6', text: '"six"' }] });
    const appendedFrame = encodeFrame(appended.manifest, appended.values, snapshot.length);
    const marker = encodeJournalBatch({ headerText: undefined, entries: [] });
    const after = new Uint8Array([...snapshot, ...appendedFrame, ...encodeFrame(marker.manifest, marker.values, snapshot.length + appendedFrame.length)]);
    const outside = replayJournal(flipped(after, snapshot.length + 29 + 3));
    expect([...(outside.state.records.get('tasks')?.keys() ?? [])]).toEqual([]);
    expect([...(outside.state.lost.get('tasks')?.keys() ?? [])]).toEqual(['1', '2', '3', '4', '5']);
    expect(outside.problems.map((problem) => problem.path)).toEqual([`journal@${snapshot.length}-${snapshot.length + appendedFrame.length}`, 'header']);
  });

  it('a header written after the damage ends the doubt about it; what was quarantined stays quarantined through a compaction', () => {
    const frames: Uint8Array[] = [];
    let length = 0;
    const append = (headerText: string | undefined, key: string): void => {
      const encoded = encodeJournalBatch({ headerText, entries: [{ type: 'put', collection: 'tasks', key, text: `"${key}"` }] });
      const frame = encodeFrame(encoded.manifest, encoded.values, length);
      frames.push(frame);
      length += frame.length;
    };
    const bytes = (): Uint8Array => new Uint8Array(frames.flatMap((frame) => [...frame]));
    append('{"highestTaskIdentifier":1}', '1');
    append('{"highestTaskIdentifier":2}', '2');
    append(undefined, '3');
    const second = (frames[0] as Uint8Array).length;
    const run = `journal@${second}-${second + (frames[1] as Uint8Array).length}`;
    const damage = (journal: Uint8Array): Uint8Array => flipped(journal, second + 29 + 2);
    expect(replayJournal(damage(bytes())).problems.map((problem) => problem.path)).toEqual([run, 'header']);

    // What a session does at every open: it writes its header (moved past the damage) again.
    append('{"highestTaskIdentifier":1000}', '4');
    const reopened = replayJournal(damage(bytes()));
    expect(reopened.problems.map((problem) => problem.path)).toEqual([run]);
    expect(reopened.state.contents(reopened.problems).problems.map((problem) => problem.path)).toEqual([run, 'tasks/1']);

    const compacted = replayJournal(encodeJournalSnapshot(reopened.state).bytes);
    expect(compacted.state.contents(compacted.problems).problems).toEqual([expect.objectContaining({ path: 'tasks/1', key: '1', message: expect.stringContaining(`before journal bytes ${second}-`) })]);
    expect([...(compacted.state.records.get('tasks')?.keys() ?? [])]).toEqual(['3', '4']);
    expect(compacted.state.headerText).toBe('{"highestTaskIdentifier":1000}');
  });
});
