import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import { defaultConfiguration } from '../model/configuration.js';
import { encodeTaskRecord } from '../codecs/task-record-codec.js';
import { createdTask, drive, ev, taskIn } from '../machines/task-fixtures.test-helpers.js';
import { encodeOutboxEntry } from '../codecs/outbox-entry-codec.js';
import { encodeStoreHeader } from '../codecs/store-header-codec.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { StoreBatch } from '../ports/store.js';
import { flipped, journalOf, openWith, type Frame } from '../stores/journal-frames.test-helpers.js';
import { decodeDeferredTasks, loadStore, type LoadedStore } from './open-store.js';

const configuration = { identifier: 'newer', ...defaultConfiguration };

describe('loadStore', () => {
  it('refuses a store in which a newer version wrote anything (UnsupportedStoreVersion), instead of failing at the first commit', () => {
    const contents = {
      header: null,
      records: new Map(),
      problems: [{ code: 'UnsupportedStoreVersion' as const, path: 'journal@4096', message: 'journal frame version 2 is newer than 1' }],
    };
    let thrown: unknown;
    try {
      loadStore(contents, configuration);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BgSessionError);
    expect(thrown).toMatchObject({ code: 'UnsupportedStoreVersion', path: 'journal@4096' });
  });

  it('opens around a CorruptRecord problem, reporting it', () => {
    const contents = { header: null, records: new Map(), problems: [{ code: 'CorruptRecord' as const, path: 'journal@10', message: 'bad checksum' }] };
    expect(loadStore(contents, configuration).problems).toHaveLength(1);
  });
});

describe('loadStore with deferUnlisted', () => {
  it('decodes the tasks the outbox names at once, and reads each other record only when it is decoded', () => {
    const ended = drive(createdTask({ url: 'https://a.example/0' }), [ev.cancel()]).record;
    const queued = Array.from({ length: 5 }, (_, i) => ({ ...taskIn.scheduled({ url: `https://a.example/${i + 1}` }), taskIdentifier: i + 2 }));
    const reads: string[] = [];
    class CountingMap extends Map<string, unknown> {
      override get(key: string): unknown {
        reads.push(key);
        return super.get(key);
      }
    }
    const tasks = new CountingMap([ended, ...queued].map((record) => [String(record.taskIdentifier), encodeTaskRecord(record)]));
    const outbox = new Map([
      ['1', { schemaVersion: 1, eventId: 'a'.repeat(32), sequence: 1, committedAt: 0, payload: { type: 'taskDidComplete', taskIdentifier: ended.taskIdentifier, error: null, response: null } }],
    ]);
    const loaded = loadStore({ header: null, records: new Map([['tasks', tasks], ['outbox', outbox]]), problems: [] }, configuration, true);
    expect(loaded.tasks.map((task) => task.taskIdentifier)).toEqual([ended.taskIdentifier]);
    expect(reads).toEqual([String(ended.taskIdentifier)]);
    expect(loaded.header.highestTaskIdentifier).toBe(6);
    expect(loaded.deferred.keys).toEqual(['2', '3', '4', '5', '6']);

    const first = decodeDeferredTasks(loaded.deferred, 0, 2);
    expect(first.tasks.map((task) => task.taskIdentifier)).toEqual([2, 3]);
    expect(reads).toEqual(['1', '2', '3']);
    const rest = decodeDeferredTasks(loaded.deferred, 2, 10);
    expect(rest.tasks).toEqual(queued.slice(2));
    expect(rest.highestId).toBe(6);
  });
});

/** What a session of identifier `damaged` commits, as it commits it. */
const damagedConfiguration = { identifier: 'damaged', ...defaultConfiguration };

function headerAt(highestTaskIdentifier: number, highestSequence: number): unknown {
  return encodeStoreHeader({ identifier: 'damaged', configuration: damagedConfiguration, highestTaskIdentifier, highestSequence, lifecycle: 'active' });
}

function creation(id: number): StoreBatch {
  const record = { ...taskIn.scheduled({ url: `https://a.example/${id}` }), taskIdentifier: id };
  return { header: headerAt(id, 0), operations: [{ type: 'put', collection: 'tasks', key: String(id), value: encodeTaskRecord(record) }], durability: 'strict' };
}

const completion: OutboxEntry = {
  eventId: 'e'.repeat(32),
  sequence: 1,
  committedAt: 0,
  payload: { type: 'taskDidComplete', taskIdentifier: 1, error: null, response: null },
};

/** Task 1 ends: its ended record and its taskDidComplete, with the sequence it issued, in one commit. */
const end = (highestTaskIdentifier: number): StoreBatch => ({
  header: headerAt(highestTaskIdentifier, 1),
  operations: [
    { type: 'put', collection: 'tasks', key: '1', value: encodeTaskRecord({ ...drive(createdTask({ url: 'https://a.example/1' }), [ev.cancel()]).record, taskIdentifier: 1 }) },
    { type: 'put', collection: 'outbox', key: '1', value: encodeOutboxEntry(completion) },
  ],
  durability: 'strict',
});

/** The app acknowledged task 1's taskDidComplete: the entry and the ended task go. */
const acknowledgement: StoreBatch = {
  operations: [
    { type: 'delete', collection: 'outbox', key: '1' },
    { type: 'delete', collection: 'tasks', key: '1' },
  ],
  durability: 'strict',
};

/** Opens the session's store, commits `batches`, closes it cleanly, flips one bit in the manifest of batch `hit` (none: -1), and loads it. */
async function loadAfter(batches: readonly StoreBatch[], hit: number): Promise<LoadedStore> {
  const { disk, bytes, frames } = await journalOf([{ header: headerAt(0, 0), operations: [], durability: 'strict' }, ...batches]);
  const frame = frames[hit + 1] as Frame;
  return loadStore(await openWith(disk, hit < 0 ? bytes : flipped(bytes, frame.manifestStart + 5, 0x01)), damagedConfiguration, true);
}

describe('loadStore over a journal whose damage hides its keys (faults.md C19)', () => {
  it('a clean journal loads as it was written, with no problem', async () => {
    const loaded = await loadAfter([creation(1), creation(2), end(2)], -1);
    expect(loaded.problems).toEqual([]);
    expect(loaded.header).toMatchObject({ highestTaskIdentifier: 2, highestSequence: 1 });
    expect(loaded.outbox).toEqual([completion]);
    expect([...loaded.tasks.map((task) => task.taskIdentifier), ...loaded.deferred.keys]).toEqual([1, '2']);
  });

  it('#2 an acknowledged event is never delivered again: damage in the acknowledgement\'s manifest quarantines the entry and its task', async () => {
    const loaded = await loadAfter([creation(1), end(1), acknowledgement], 2);
    expect(loaded.outbox).toEqual([]);
    expect(loaded.tasks).toEqual([]);
    expect(loaded.deferred.keys).toEqual([]);
    expect(loaded.quarantined).toEqual(new Set(['1']));
    expect(loaded.problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', collection: 'outbox', key: '1' }));
    expect(loaded.problems).toContainEqual(expect.objectContaining({ code: 'CorruptRecord', collection: 'tasks', key: '1' }));
    expect(loaded.header.highestSequence).toBeGreaterThanOrEqual(1);
  });

  it('#2 an ended task does not run again: damage in the manifest of its end quarantines it, and its event\'s sequence is not issued again', async () => {
    const loaded = await loadAfter([creation(1), creation(2), end(2)], 2);
    expect(loaded.tasks).toEqual([]);
    expect(loaded.deferred.keys).toEqual([]);
    expect(loaded.quarantined).toEqual(new Set(['1', '2']));
    expect(loaded.outbox).toEqual([]);
    expect(loaded.header.highestSequence).toBeGreaterThanOrEqual(1);
  });

  it('#5 an identifier is never issued twice: damage in the manifest of the last creation moves the highest identifier past what it could hold', async () => {
    const loaded = await loadAfter([creation(1), creation(2), creation(3)], 2);
    expect(loaded.header.highestTaskIdentifier).toBeGreaterThanOrEqual(3);
    expect(loaded.quarantined).toEqual(new Set(['1', '2']));
    expect(loaded.problems.filter((problem) => problem.key === undefined).map((problem) => problem.path)).toEqual([expect.stringMatching(/^journal@\d+-\d+$/), 'header']);
  });

  it('#5 damage followed by a header that counts it moves nothing: the header written after it is believed', async () => {
    const loaded = await loadAfter([creation(1), creation(2), creation(3)], 1);
    expect(loaded.header.highestTaskIdentifier).toBe(3);
    expect(loaded.quarantined).toEqual(new Set(['1']));
    expect(loaded.deferred.keys).toEqual(['3']);
  });
});
