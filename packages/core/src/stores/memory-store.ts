import { BgSessionError } from '../errors/bg-session-error.js';
import type {
  Store,
  StoreBatch,
  StoreCapabilities,
  StoreCollection,
  StoreContents,
  StoreProblem,
} from '../ports/store.js';

const collections: readonly StoreCollection[] = ['tasks', 'outbox', 'resumeData'];

/**
 * What a memory store keeps: the part that outlives a store instance, like the files of a journal
 * outlive the process that wrote them. Values are kept as JSON text, so a test can write text that
 * does not parse to simulate a corrupt record.
 */
export interface MemoryStoreData {
  /** The header as JSON text, or null before the first commit that sets one. */
  header: string | null;
  /** Records per collection, as JSON text. */
  readonly records: Map<StoreCollection, Map<string, string>>;
  /** The live instance holding the lock, or null. Opaque: compare, never call. */
  owner: object | null;
  /** Commits applied so far (each atomically). */
  commits: number;
}

/**
 * Creates empty backing data for {@link createMemoryStore}.
 *
 * @example
 * ```ts
 * const data = createMemoryStoreData();
 * const first = createMemoryStore({ data });
 * await first.open();
 * first.fence(); // the process "dies"
 * const second = createMemoryStore({ data });
 * await second.open(); // sees every commit of the first
 * ```
 */
export function createMemoryStoreData(): MemoryStoreData {
  return {
    header: null,
    records: new Map(collections.map((collection) => [collection, new Map<string, string>()])),
    owner: null,
    commits: 0,
  };
}

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The backing data to open over (to survive a simulated kill); a fresh one by default. */
  readonly data?: MemoryStoreData;
}

/** A {@link Store} kept in memory, with hooks for tests. */
export interface MemoryStore extends Store {
  /** The backing data this instance opens over. */
  readonly data: MemoryStoreData;
  /**
   * Simulates the death of this instance's owner: its lock is released, and every later call of
   * this instance rejects with `StoreFailed`, so a dead runtime's late calls cannot write.
   */
  fence(): void;
  /**
   * Makes the next commit fail as a failed write would (`EIO` by default, carried as the cause):
   * nothing of it is applied, it rejects with `StoreFailed`, and so does every later call.
   */
  failNextCommit(code?: string): void;
}

type InstanceState = 'new' | 'open' | 'closed' | 'failed' | 'fenced';

/**
 * Creates a {@link Store} kept in memory: exclusive open, atomic commits, and values copied through
 * JSON on commit and on open, so no caller can change stored state by reference (and every value is
 * proved JSON-compatible). It does not survive a power loss (`survivesPowerLoss: false`); it
 * survives a simulated kill: open a new instance over the same `data`.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * await store.open(); // { header: null, records, problems: [] }
 * await store.commit({
 *   header: { identifier: 'photos' },
 *   operations: [{ type: 'put', collection: 'tasks', key: '1', value: { phase: 'created' } }],
 *   durability: 'strict',
 * });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const data = options.data ?? createMemoryStoreData();
  const token = {};
  let state: InstanceState = 'new';
  let pendingFailure: string | null = null;

  const capabilities: StoreCapabilities = { survivesPowerLoss: false };

  function release(): void {
    if (data.owner === token) data.owner = null;
  }

  function refuse(call: string): Promise<never> {
    return Promise.reject(new BgSessionError('StoreFailed', `The memory store is ${state}; ${call} refused.`));
  }

  function open(): Promise<StoreContents> {
    if (state === 'closed' || state === 'failed' || state === 'fenced') return refuse('open');
    if (data.owner !== null && data.owner !== token) {
      return Promise.reject(new BgSessionError('SessionInUse', 'Another live owner holds this memory store.'));
    }
    data.owner = token;
    state = 'open';
    return Promise.resolve(load(data));
  }

  function commit(batch: StoreBatch): Promise<void> {
    if (state !== 'open') return refuse('commit');
    if (pendingFailure !== null) {
      const cause = pendingFailure;
      pendingFailure = null;
      state = 'failed';
      return Promise.reject(
        new BgSessionError('StoreFailed', `The memory store's write failed (${cause}).`, { cause }),
      );
    }
    // Encode the whole batch before touching the data, so a value that is not JSON leaves nothing.
    const encoded = encodeBatch(batch);
    if (encoded instanceof BgSessionError) {
      state = 'failed';
      return Promise.reject(encoded);
    }
    if (encoded.header !== undefined) data.header = encoded.header;
    for (const operation of encoded.operations) {
      const records = recordsOf(data, operation.collection);
      if (operation.text === null) records.delete(operation.key);
      else records.set(operation.key, operation.text);
    }
    data.commits += 1;
    return Promise.resolve();
  }

  function close(): Promise<void> {
    // A failed or closed store still lets go of its lock, so the session can be reopened.
    release();
    if (state === 'closed' || state === 'failed' || state === 'fenced') return refuse('close');
    state = 'closed';
    return Promise.resolve();
  }

  return {
    capabilities,
    data,
    open,
    commit,
    close,
    fence() {
      release();
      state = 'fenced';
    },
    failNextCommit(code = 'EIO') {
      pendingFailure = code;
    },
  };
}

interface EncodedOperation {
  readonly collection: StoreCollection;
  readonly key: string;
  /** Null for a delete. */
  readonly text: string | null;
}

interface EncodedBatch {
  readonly header: string | undefined;
  readonly operations: readonly EncodedOperation[];
}

function encodeBatch(batch: StoreBatch): EncodedBatch | BgSessionError {
  let header: string | undefined;
  if (batch.header !== undefined) {
    const text = encodeValue(batch.header);
    if (text === undefined) return notJson('header');
    header = text;
  }
  const operations: EncodedOperation[] = [];
  for (const operation of batch.operations) {
    if (!collections.includes(operation.collection)) {
      return new BgSessionError('StoreFailed', `Unknown store collection "${String(operation.collection)}".`, {
        path: String(operation.collection),
      });
    }
    if (operation.type === 'delete') {
      operations.push({ collection: operation.collection, key: operation.key, text: null });
      continue;
    }
    const text = encodeValue(operation.value);
    if (text === undefined) return notJson(`${operation.collection}/${operation.key}`);
    operations.push({ collection: operation.collection, key: operation.key, text });
  }
  return { header, operations };
}

function encodeValue(value: unknown): string | undefined {
  try {
    // JSON.stringify returns undefined for undefined, functions and symbols.
    return JSON.stringify(value) as string | undefined;
  } catch {
    return undefined; // cycles, BigInt
  }
}

function notJson(path: string): BgSessionError {
  return new BgSessionError('StoreFailed', `The value at ${path} is not JSON-compatible; nothing was written.`, {
    path,
  });
}

function recordsOf(data: MemoryStoreData, collection: StoreCollection): Map<string, string> {
  let records = data.records.get(collection);
  if (records === undefined) {
    records = new Map();
    data.records.set(collection, records);
  }
  return records;
}

function load(data: MemoryStoreData): StoreContents {
  const problems: StoreProblem[] = [];
  let header: unknown = null;
  if (data.header !== null) {
    const parsed = decodeText(data.header);
    if (parsed.ok) header = parsed.value;
    else problems.push({ code: 'CorruptRecord', path: 'header', message: 'The header is not valid JSON.' });
  }
  const records = new Map<StoreCollection, ReadonlyMap<string, unknown>>();
  for (const collection of collections) {
    const loaded = new Map<string, unknown>();
    for (const [key, text] of data.records.get(collection) ?? []) {
      const parsed = decodeText(text);
      if (parsed.ok) loaded.set(key, parsed.value);
      else {
        problems.push({
          code: 'CorruptRecord',
          path: `${collection}/${key}`,
          message: `The record ${collection}/${key} is not valid JSON.`,
          collection,
          key,
        });
      }
    }
    records.set(collection, loaded);
  }
  return { header, records, problems };
}

function decodeText(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
