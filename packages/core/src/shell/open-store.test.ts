import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import { defaultConfiguration } from '../model/configuration.js';
import { encodeTaskRecord } from '../codecs/task-record-codec.js';
import { createdTask, drive, ev, taskIn } from '../machines/task-fixtures.test-helpers.js';
import { decodeDeferredTasks, loadStore } from './open-store.js';

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
