import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '../errors/bg-session-error.js';
import type { StoreBatch } from '../ports/store.js';
import { createMemoryStore, createMemoryStoreData } from './memory-store.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function putTask(key: string, value: unknown): StoreBatch {
  return { operations: [{ type: 'put', collection: 'tasks', key, value }], durability: 'strict' };
}

describe('createMemoryStore', () => {
  it('fence: the dead owner lets go of the lock, and its late commits are refused and never seen', async () => {
    const data = createMemoryStoreData();
    const dead = createMemoryStore({ data });
    await dead.open();
    await dead.commit(putTask('1', 'before'));
    dead.fence();
    const next = createMemoryStore({ data });
    const contents = await next.open();
    expect(contents.records.get('tasks')?.get('1')).toBe('before');
    expect(isBgSessionError(await rejection(dead.commit(putTask('2', 'late'))), 'StoreFailed')).toBe(true);
    expect(isBgSessionError(await rejection(dead.open()), 'StoreFailed')).toBe(true);
    expect(isBgSessionError(await rejection(dead.close()), 'StoreFailed')).toBe(true);
    // The fenced instance's close must not release the new owner's lock.
    expect(isBgSessionError(await rejection(createMemoryStore({ data }).open()), 'SessionInUse')).toBe(true);
    expect(data.records.get('tasks')?.has('2')).toBe(false);
  });

  it('failNextCommit: nothing of that commit is applied, it and every later call reject StoreFailed', async () => {
    const data = createMemoryStoreData();
    const store = createMemoryStore({ data });
    await store.open();
    await store.commit(putTask('1', 'kept'));
    store.failNextCommit('EIO');
    const error = await rejection(store.commit({ header: { h: 1 }, ...putTask('1', 'lost') }));
    expect(isBgSessionError(error, 'StoreFailed')).toBe(true);
    expect((error as Error).cause).toBe('EIO');
    expect(isBgSessionError(await rejection(store.commit(putTask('2', 'after'))), 'StoreFailed')).toBe(true);
    // close still lets go of the lock so the session can be reopened.
    expect(isBgSessionError(await rejection(store.close()), 'StoreFailed')).toBe(true);
    const reopened = await createMemoryStore({ data }).open();
    expect(reopened.header).toBeNull();
    expect(Object.fromEntries(reopened.records.get('tasks') ?? [])).toEqual({ '1': 'kept' });
  });

  it('a value that is not JSON fails the commit whole, naming where it was', async () => {
    const store = createMemoryStore();
    await store.open();
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    const error = await rejection(
      store.commit({
        operations: [
          { type: 'put', collection: 'tasks', key: 'fine', value: 1 },
          { type: 'put', collection: 'tasks', key: 'cycle', value: cycle },
        ],
        durability: 'strict',
      }),
    );
    expect(isBgSessionError(error, 'StoreFailed')).toBe(true);
    expect((error as { path?: string }).path).toBe('tasks/cycle');
    expect(store.data.records.get('tasks')?.size).toBe(0);
  });

  it('a corrupt record is reported and left out; the others load', async () => {
    const data = createMemoryStoreData();
    const store = createMemoryStore({ data });
    await store.open();
    await store.commit({
      header: { h: 1 },
      operations: [
        { type: 'put', collection: 'tasks', key: '1', value: 'good' },
        { type: 'put', collection: 'tasks', key: '2', value: 'good' },
      ],
      durability: 'strict',
    });
    await store.close();
    data.records.get('tasks')?.set('2', '{"torn');
    const contents = await createMemoryStore({ data }).open();
    expect(contents.header).toEqual({ h: 1 });
    expect([...(contents.records.get('tasks')?.keys() ?? [])]).toEqual(['1']);
    expect(contents.problems).toEqual([
      expect.objectContaining({ code: 'CorruptRecord', path: 'tasks/2', collection: 'tasks', key: '2' }),
    ]);
  });

  it('a corrupt header is reported, and the store opens without one', async () => {
    const data = createMemoryStoreData();
    data.header = 'not json';
    const contents = await createMemoryStore({ data }).open();
    expect(contents.header).toBeNull();
    expect(contents.problems).toEqual([expect.objectContaining({ code: 'CorruptRecord', path: 'header' })]);
  });

  it('commit before open is refused', async () => {
    const store = createMemoryStore();
    expect(isBgSessionError(await rejection(store.commit(putTask('1', 1))), 'StoreFailed')).toBe(true);
  });

  it('100,000 task records commit and load', async () => {
    const data = createMemoryStoreData();
    const store = createMemoryStore({ data });
    await store.open();
    const operations = Array.from({ length: 100_000 }, (_, i) => ({
      type: 'put' as const,
      collection: 'tasks' as const,
      key: String(i),
      value: { taskIdentifier: i, phase: 'scheduled', progress: { countOfBytesReceived: i } },
    }));
    await store.commit({ operations, durability: 'strict' });
    await store.close();
    const contents = await createMemoryStore({ data }).open();
    expect(contents.records.get('tasks')?.size).toBe(100_000);
    expect(contents.records.get('tasks')?.get('99999')).toEqual(operations[99_999]?.value);
  });
});
