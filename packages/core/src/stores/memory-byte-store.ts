import { BgSessionError } from '../errors/bg-session-error.js';
import type { ErrorCode } from '../errors/error-codes.js';
import type { Destination } from '../model/task-types.js';
import type { ByteStore, ByteStoreCapabilities, HandOverRequest, HandOverResult } from '../ports/byte-store.js';
import { fallbackFileName, sanitizeFileName } from '../policy/file-name.js';
import { createMemoryByteStoreData, type MemoryByteEntry, type MemoryByteStoreData } from './memory-byte-store-data.js';
import { numberedName } from './numbered-name.js';

/** Where in-store hand-overs go: `store:finished/<key>`. */
export const memoryFinishedPrefix = 'store:finished/';

/** Options of {@link createMemoryByteStore}. */
export interface MemoryByteStoreOptions {
  /** The backing data to open over (to survive a simulated kill); a fresh one by default. */
  readonly data?: MemoryByteStoreData;
  /**
   * Whether unsynced bytes survive the death of their writer (`fence()`): true by default, like
   * files in the OS's cache; false models OPFS writables, discarded with their page.
   */
  readonly unsyncedSurviveWriter?: boolean;
  /** The size of the chunks `read` yields; 64 KiB by default. */
  readonly readChunkSize?: number;
}

/** A {@link ByteStore} kept in memory, with hooks for tests. */
export interface MemoryByteStore extends ByteStore {
  /** The backing data this instance works on. */
  readonly data: MemoryByteStoreData;
  /**
   * Simulates the death of this instance's owner: every later call rejects with `StoreFailed`.
   * Without `unsyncedSurviveWriter`, the unsynced bytes it wrote are dropped.
   */
  fence(): void;
  /** Makes every append reject with `code` (`DiskFull` for ENOSPC) until called with null. */
  failAppendsWith(code: ErrorCode | null): void;
  /** Makes the next sync reject with `StoreFailed` (a failed fdatasync); its bytes stay unsynced. */
  failNextSync(): void;
}

const minimumCapacity = 1024;

/**
 * Creates a {@link ByteStore} kept in memory. Hand-over locations live in `data.files`: an app path
 * for a `path` destination, the directory joined with the sanitised suggested name for a
 * `directory` one, and `store:finished/<key>` without a destination.
 *
 * @example
 * ```ts
 * const bytes = createMemoryByteStore();
 * await bytes.append('part-1', new TextEncoder().encode('hello'));
 * await bytes.sync('part-1');
 * const result = await bytes.handOver('part-1', {
 *   destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' },
 *   suggestedName: 'hello.txt',
 * });
 * result.location; // '/downloads/hello.txt'
 * ```
 */
export function createMemoryByteStore(options: MemoryByteStoreOptions = {}): MemoryByteStore {
  const data = options.data ?? createMemoryByteStoreData();
  const capabilities: ByteStoreCapabilities = { unsyncedSurviveWriter: options.unsyncedSurviveWriter ?? true };
  const readChunkSize = Math.max(1, Math.floor(options.readChunkSize ?? 64 * 1024));
  const written = new Set<string>();
  let fenced = false;
  let failSync = false;

  function live(call: string): void {
    if (fenced) throw new BgSessionError('StoreFailed', `The memory byte store was fenced; ${call} refused.`);
  }

  // Every method runs synchronously inside an async function, so each call is atomic and a throw
  // becomes a rejection.
  const store: MemoryByteStore = {
    capabilities,
    data,

    async bootIdentity() {
      live('bootIdentity');
      return data.bootIdentity;
    },

    async length(key) {
      live('length');
      return data.entries.get(key)?.length ?? null;
    },

    async append(key, bytes) {
      live('append');
      if (data.appendFailure !== null) {
        throw new BgSessionError(data.appendFailure, `Append to ${key} failed (injected).`, { path: key });
      }
      let entry = data.entries.get(key);
      if (entry === undefined) {
        entry = { buffer: new Uint8Array(Math.max(minimumCapacity, bytes.length)), length: 0, synced: 0, durable: false };
        data.entries.set(key, entry);
      }
      reserve(entry, entry.length + bytes.length);
      // Copies: the caller may reuse its buffer once the append resolved.
      entry.buffer.set(bytes, entry.length);
      entry.length += bytes.length;
      written.add(key);
    },

    async sync(key) {
      live('sync');
      if (failSync) {
        failSync = false;
        throw new BgSessionError('StoreFailed', `Sync of ${key} failed (injected).`, { path: key });
      }
      const entry = data.entries.get(key);
      if (entry === undefined) return;
      entry.synced = entry.length;
      entry.durable = true;
    },

    async truncate(key, length) {
      live('truncate');
      const entry = data.entries.get(key);
      const current = entry?.length ?? 0;
      if (!Number.isSafeInteger(length) || length < 0 || length > current) {
        throw new BgSessionError('InvalidArgument', `Cannot truncate ${key} (${current} bytes) to ${length}.`, {
          field: 'length',
          path: key,
        });
      }
      if (entry === undefined) return;
      entry.buffer.fill(0, length, entry.length);
      entry.length = length;
      entry.synced = Math.min(entry.synced, length);
    },

    read(key, offset = 0) {
      return readEntry(key, offset);
    },

    async delete(key) {
      live('delete');
      data.entries.delete(key);
      written.delete(key);
    },

    async keys() {
      live('keys');
      return [...data.entries.keys()].sort();
    },

    async handOver(key, request) {
      live('handOver');
      return handOver(key, request);
    },

    async locationSize(location) {
      live('locationSize');
      return data.files.get(location)?.length ?? null;
    },

    async deleteLocation(location) {
      live('deleteLocation');
      if (!location.startsWith(memoryFinishedPrefix)) {
        throw new BgSessionError('InvalidArgument', `${location} is not a location inside the store.`, {
          path: location,
        });
      }
      data.files.delete(location);
    },

    fence() {
      if (!fenced && !capabilities.unsyncedSurviveWriter) {
        for (const key of written) {
          const entry = data.entries.get(key);
          if (entry === undefined) continue;
          if (entry.durable) entry.length = entry.synced;
          else data.entries.delete(key);
        }
      }
      fenced = true;
    },

    failAppendsWith(code) {
      data.appendFailure = code;
    },

    failNextSync() {
      failSync = true;
    },
  };

  async function* readEntry(key: string, offset: number): AsyncGenerator<Uint8Array> {
    live('read');
    const entry = data.entries.get(key);
    if (entry === undefined) {
      throw new BgSessionError('StoreFailed', `No bytes under ${key}.`, { path: key });
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new BgSessionError('InvalidArgument', `Cannot read ${key} from ${offset}.`, { field: 'offset', path: key });
    }
    // The end is fixed when the read starts: bytes appended meanwhile belong to a later read.
    const end = entry.length;
    let position = offset;
    while (position < end) {
      live('read');
      const current = data.entries.get(key);
      if (current !== entry) throw new BgSessionError('StoreFailed', `${key} was deleted during a read.`, { path: key });
      const stop = Math.min(end, position + readChunkSize, entry.length);
      if (stop <= position) return;
      yield entry.buffer.slice(position, stop);
      position = stop;
    }
  }

  function handOver(key: string, request: HandOverRequest): HandOverResult {
    const entry = data.entries.get(key);
    if (entry === undefined) {
      // Handed over already (a host died before recording it): answer where the bytes went.
      const done = data.handedOver.get(key);
      if (done !== undefined) return done;
      throw new BgSessionError('StoreFailed', `No bytes under ${key} to hand over.`, { path: key });
    }
    const location = chooseLocation(key, request.destination, request.suggestedName);
    // The one step that moves the bytes: before it they are all under the key, after it all at the
    // location. The hand-over is durable, as a rename followed by a directory sync is.
    data.files.set(location, entry.buffer.slice(0, entry.length));
    data.entries.delete(key);
    written.delete(key);
    const result = { location, inStore: request.destination === null };
    data.handedOver.set(key, result);
    return result;
  }

  function chooseLocation(key: string, destination: Destination | null, suggestedName: string | null): string {
    if (destination === null) return memoryFinishedPrefix + key;
    const wanted =
      destination.type === 'path'
        ? destination.path
        : joinPath(destination.directory, sanitizeFileName(suggestedName ?? fallbackFileName));
    if (!data.files.has(wanted)) return wanted;
    switch (destination.ifExists) {
      case 'replace':
        return wanted;
      case 'fail':
        throw new BgSessionError('DestinationExists', `A file is already at ${wanted}.`, { path: wanted });
      case 'rename': {
        const slash = wanted.lastIndexOf('/');
        const parent = wanted.slice(0, slash + 1);
        const name = wanted.slice(slash + 1);
        for (let n = 1; ; n += 1) {
          const candidate = parent + numberedName(name, n);
          if (!data.files.has(candidate)) return candidate;
        }
      }
    }
  }

  return store;
}

function reserve(entry: MemoryByteEntry, needed: number): void {
  if (needed <= entry.buffer.length) return;
  let capacity = entry.buffer.length;
  while (capacity < needed) capacity *= 2;
  const grown = new Uint8Array(capacity);
  grown.set(entry.buffer.subarray(0, entry.length));
  entry.buffer = grown;
}

function joinPath(directory: string, name: string): string {
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}
