import { createMemoryConnectivity, createNodeTestHasher, createSeededRandom, type ManualClock } from '@bgsession/testing';
import { createMemoryByteStore, createMemoryByteStoreData, type Store, type StoreBatch, type Transport } from '../index.js';

/*
 * Test-only helpers for the session tests of this folder that build a session's ports themselves
 * (to put a store or byte store of their own between the session and its data). Nothing outside
 * `*.test.ts` files may import this file.
 */

/**
 * The ports of a host on memory adapters over `store`; `byteData` outlives a killed host.
 *
 * @example
 * ```ts
 * const session = await createSession({ ports: memoryPorts(createMemoryStore(), transport, clock, 7), configuration: { identifier: 's' } });
 * ```
 */
export function memoryPorts(store: Store, transport: Transport, clock: ManualClock, seed: number, byteData = createMemoryByteStoreData()) {
  return {
    store,
    byteStore: createMemoryByteStore({ data: byteData }),
    transport,
    clock,
    random: createSeededRandom(seed),
    connectivity: createMemoryConnectivity(),
    hasher: createNodeTestHasher(),
  };
}

/**
 * `inner`, with its commits going through `commit` (to watch or hold them); its capabilities, open
 * and close are `inner`'s.
 *
 * @example
 * ```ts
 * const watched = storeWith(inner, (batch) => (seen.push(batch), inner.commit(batch)));
 * ```
 */
export function storeWith(inner: Store, commit: Store['commit']): Store {
  return { capabilities: inner.capabilities, open: () => inner.open(), close: () => inner.close(), commit };
}

/**
 * A store whose commits, from the first one `holds` picks on, wait until `release()`, then go in
 * call order, as a journal whose sync is slow would: a kill before the release loses every one of
 * them.
 *
 * @example
 * ```ts
 * const store = heldCommits(createMemoryStore(), (batch) => batch.operations.some((operation) => operation.type === 'delete'));
 * await store.release();
 * ```
 */
export function heldCommits(inner: Store, holds: (batch: StoreBatch) => boolean): Store & { readonly held: () => number; release(): Promise<void> } {
  let holding = false;
  let released = false;
  const queue: Array<{ batch: StoreBatch; done: (error?: unknown) => void }> = [];
  const store = storeWith(inner, (batch) => {
    holding ||= !released && holds(batch);
    if (!holding) return inner.commit(batch);
    return new Promise<void>((resolve, reject) => queue.push({ batch, done: (error) => (error === undefined ? resolve() : reject(error)) }));
  });
  return {
    ...store,
    held: () => queue.length,
    async release() {
      holding = false;
      released = true;
      for (const { batch, done } of queue.splice(0)) await inner.commit(batch).then(() => done(), done);
    },
  };
}

/** Calls held at a gate: see {@link gate}. */
export interface Gate {
  /** Resolves once the gate is open (at once after `open()`). */
  pass(): Promise<void>;
  /** How many calls wait at the gate now. */
  readonly held: () => number;
  /** Lets every waiting call through, and every later one at once. */
  open(): void;
}

/**
 * A gate that holds the calls that pass it until `open()`, as a slow disk holds a sync or a delete.
 *
 * @example
 * ```ts
 * const syncs = gate();
 * const byteStore = { ...inner, async sync(key: string) { await syncs.pass(); await inner.sync(key); } };
 * syncs.open();
 * ```
 */
export function gate(): Gate {
  const waiting: Array<() => void> = [];
  let opened = false;
  return {
    pass: () => (opened ? Promise.resolve() : new Promise<void>((resume) => waiting.push(resume))),
    held: () => waiting.length,
    open() {
      opened = true;
      for (const resume of waiting.splice(0)) resume();
    },
  };
}
