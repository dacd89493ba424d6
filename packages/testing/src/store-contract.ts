import { describe, expect, it } from 'vitest';
import type { Store, StoreBatch, StoreCollection, StoreContents } from '@bgsession/core';
import { expectRejection } from './expect-rejection.js';

/** What {@link describeStoreContract} needs to test one Store implementation. */
export interface StoreContractFixture {
  /** A store over fresh, empty storage, not opened yet. */
  readonly store: Store;
  /** A new instance over the same storage, not opened yet: what a relaunched process would make. */
  reopen(): Promise<Store>;
  /** Kills every instance made so far, as a process kill would: no close, no lock left behind. */
  kill?(): Promise<void>;
  /** Makes the next commit of `store` fail as a failed write (EIO) would. */
  failNextCommit?(): void;
  /** Frees what the fixture made (temporary directories...). */
  dispose?(): Promise<void>;
}

const strict = 'strict' as const;

function put(collection: StoreCollection, key: string, value: unknown): StoreBatch['operations'][number] {
  return { type: 'put', collection, key, value };
}

function recordsOf(contents: StoreContents, collection: StoreCollection): ReadonlyMap<string, unknown> {
  return contents.records.get(collection) ?? new Map<string, unknown>();
}

async function reopened(fixture: StoreContractFixture, previous: Store): Promise<StoreContents> {
  await previous.close();
  const next = await fixture.reopen();
  const contents = await next.open();
  await next.close();
  return contents;
}

/**
 * Declares the tests every Store adapter passes (the Store port's guarantees): `factory` makes a
 * fresh fixture for each test.
 *
 * @example
 * ```ts
 * describeStoreContract('memory store', async () => {
 *   const data = createMemoryStoreData();
 *   const stores = [createMemoryStore({ data })];
 *   return {
 *     store: stores[0],
 *     reopen: async () => { const s = createMemoryStore({ data }); stores.push(s); return s; },
 *     kill: async () => stores.forEach((s) => s.fence()),
 *   };
 * });
 * ```
 */
export function describeStoreContract(name: string, factory: () => Promise<StoreContractFixture>): void {
  async function withFixture(run: (fixture: StoreContractFixture) => Promise<void>): Promise<void> {
    const fixture = await factory();
    try {
      await run(fixture);
    } finally {
      await fixture.dispose?.();
    }
  }

  describe(`${name} (Store contract)`, () => {
    it('a new store opens empty, with no problems', () =>
      withFixture(async ({ store }) => {
        const contents = await store.open();
        expect(contents.header).toBeNull();
        expect(contents.problems).toEqual([]);
        for (const collection of ['tasks', 'outbox', 'resumeData'] as const) {
          expect(recordsOf(contents, collection).size).toBe(0);
        }
        await store.close();
      }));

    it('the next owner sees every commit: header and records', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        await store.commit({ header: { version: 1, name: 'a' }, operations: [put('tasks', '1', { n: 1 })], durability: strict });
        await store.commit({ operations: [put('outbox', '7', ['x', 2]), put('resumeData', 'r', 'text')], durability: strict });
        const contents = await reopened(fixture, store);
        expect(contents.header).toEqual({ version: 1, name: 'a' });
        expect(recordsOf(contents, 'tasks').get('1')).toEqual({ n: 1 });
        expect(recordsOf(contents, 'outbox').get('7')).toEqual(['x', 2]);
        expect(recordsOf(contents, 'resumeData').get('r')).toBe('text');
        expect(contents.problems).toEqual([]);
      }));

    it('a batch without a header keeps the current one; a batch with one replaces it', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        await store.commit({ header: { h: 1 }, operations: [], durability: strict });
        await store.commit({ operations: [put('tasks', '1', 1)], durability: strict });
        expect((await reopened(fixture, store)).header).toEqual({ h: 1 });
        const second = await fixture.reopen();
        await second.open();
        await second.commit({ header: { h: 2 }, operations: [], durability: strict });
        expect((await reopened(fixture, second)).header).toEqual({ h: 2 });
      }));

    it('operations apply in order: a delete removes, the last put of a key wins', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        await store.commit({ operations: [put('tasks', 'a', 1), put('tasks', 'b', 1), put('tasks', 'c', 1)], durability: strict });
        await store.commit({
          operations: [
            { type: 'delete', collection: 'tasks', key: 'a' },
            put('tasks', 'b', 2),
            put('tasks', 'c', 2),
            { type: 'delete', collection: 'tasks', key: 'c' },
            put('tasks', 'b', 3),
          ],
          durability: strict,
        });
        const tasks = recordsOf(await reopened(fixture, store), 'tasks');
        expect([...tasks.keys()].sort()).toEqual(['b']);
        expect(tasks.get('b')).toBe(3);
      }));

    it('deleting an unknown key, and collections never written, are fine', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        await store.commit({ operations: [{ type: 'delete', collection: 'outbox', key: 'nothing' }], durability: strict });
        const contents = await reopened(fixture, store);
        expect(recordsOf(contents, 'outbox').size).toBe(0);
        expect(recordsOf(contents, 'resumeData').get('nothing')).toBeUndefined();
      }));

    it('stored values are copies: changing an object after its commit, or after open, changes nothing stored', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        const value = { list: [1, 2], nested: { a: 'b' } };
        await store.commit({ operations: [put('tasks', '1', value)], durability: strict });
        value.list.push(3);
        value.nested.a = 'changed';
        const first = await reopened(fixture, store);
        const loaded = recordsOf(first, 'tasks').get('1') as { list: number[] };
        expect(loaded).toEqual({ list: [1, 2], nested: { a: 'b' } });
        loaded.list.push(99);
        const again = await fixture.reopen();
        expect(recordsOf(await again.open(), 'tasks').get('1')).toEqual({ list: [1, 2], nested: { a: 'b' } });
        await again.close();
      }));

    it('open is exclusive: a second live owner gets SessionInUse until the first closes', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        const rival = await fixture.reopen();
        await expectRejection(rival.open(), 'SessionInUse');
        await store.close();
        const next = await fixture.reopen();
        await next.open();
        await next.close();
      }));

    it('after close, every call rejects with StoreFailed', () =>
      withFixture(async ({ store }) => {
        await store.open();
        await store.close();
        await expectRejection(store.commit({ operations: [put('tasks', '1', 1)], durability: strict }), 'StoreFailed');
        await expectRejection(store.open(), 'StoreFailed');
      }));

    it('after a kill, strict and relaxed commits are there and no lock is left behind', async (context) => {
      await withFixture(async (fixture) => {
        if (fixture.kill === undefined) return context.skip('the fixture cannot kill');
        const { store } = fixture;
        await store.open();
        await store.commit({ header: { h: 1 }, operations: [put('tasks', '1', 'strict')], durability: strict });
        await store.commit({ operations: [put('tasks', '2', 'relaxed')], durability: 'relaxed' });
        await fixture.kill();
        const next = await fixture.reopen();
        const contents = await next.open();
        expect(contents.header).toEqual({ h: 1 });
        expect(recordsOf(contents, 'tasks').get('1')).toBe('strict');
        expect(recordsOf(contents, 'tasks').get('2')).toBe('relaxed');
        await next.close();
      });
    });

    it('a failed commit applies nothing, and every later call rejects with StoreFailed', async (context) => {
      await withFixture(async (fixture) => {
        if (fixture.failNextCommit === undefined) return context.skip('the fixture cannot inject a failed write');
        const { store } = fixture;
        await store.open();
        await store.commit({ header: { h: 1 }, operations: [put('tasks', '1', 'kept')], durability: strict });
        fixture.failNextCommit();
        await expectRejection(
          store.commit({ header: { h: 2 }, operations: [put('tasks', '1', 'lost'), put('tasks', '2', 'lost')], durability: strict }),
          'StoreFailed',
        );
        await expectRejection(store.commit({ operations: [put('tasks', '3', 'after')], durability: strict }), 'StoreFailed');
        await store.close().catch(() => undefined);
        await fixture.kill?.();
        const next = await fixture.reopen();
        const contents = await next.open();
        expect(contents.header).toEqual({ h: 1 });
        expect(Object.fromEntries(recordsOf(contents, 'tasks'))).toEqual({ '1': 'kept' });
        await next.close();
      });
    });

    it('a thousand records round trip', () =>
      withFixture(async (fixture) => {
        const { store } = fixture;
        await store.open();
        const operations = Array.from({ length: 1000 }, (_, i) => put('tasks', String(i), { taskIdentifier: i, phase: 'created' }));
        await store.commit({ operations, durability: strict });
        const tasks = recordsOf(await reopened(fixture, store), 'tasks');
        expect(tasks.size).toBe(1000);
        expect(tasks.get('999')).toEqual({ taskIdentifier: 999, phase: 'created' });
      }));
  });
}
