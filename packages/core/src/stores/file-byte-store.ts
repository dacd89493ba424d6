import { BgSessionError } from '../errors/bg-session-error.js';
import type { ByteStore, ByteStoreCapabilities } from '../ports/byte-store.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import { handOverFile } from './file-byte-store-hand-over.js';
import {
  checkFileByteStoreKey,
  fileByteStoreLayout,
  isFileByteStoreKey,
  makeFileByteStoreDirectories,
  type FileByteStoreLayout,
} from './file-byte-store-layout.js';
import { readHandOverMarker, removeHandOverMarker } from './file-byte-store-marker.js';
import type { Probe } from '../ports/probe.js';

/** Options of {@link createFileByteStore}. */
export interface FileByteStoreOptions {
  /** The file system to keep the bytes on (node:fs in Node, the lossy disk in the simulator). */
  readonly fs: FileSystem;
  /**
   * The store's directory, an absolute path. It is created when missing; its parent must exist.
   * Nothing else may write in it.
   */
  readonly directory: string;
  /** The size of the chunks `read` yields; 64 KiB by default. */
  readonly readChunkSize?: number;
  /** Told at the byte store's crash points (`data-write`, `completion-rename`); for crash tests. */
  readonly probe?: Probe;
}

/** A {@link ByteStore} over a {@link FileSystem}. */
export interface FileByteStore extends ByteStore {
  /**
   * Closes the files kept open for appending (those appended to since their last sync). The store
   * stays usable; it reopens what it needs. Call it when the session closes.
   */
  close(): Promise<void>;
}

const capabilities: ByteStoreCapabilities = {
  // A killed process's writes are in the OS's cache: they reach the disk without it.
  unsyncedSurviveWriter: true,
};

/**
 * Creates the file ByteStore (architecture.md "Ports"), written only against the FileSystem port
 * so the code Node runs is the code the simulator's lossy disk tortures. In `directory`:
 * `parts/<key>` holds partial bytes, `finished/<key>` the hand-overs without a destination,
 * `handovers/<key>.json` where each hand-over went (so a repeated one answers the same).
 *
 * Keys are lower-case letters, digits, `.`, `_` and `-` (at most 200); anything else, `..` and `/`
 * first, is `InvalidArgument`. A file stays open between appends and is closed by `sync`, so a
 * download holds one file open while it writes and none at rest. The file system's
 * `BgSessionError`s (`DiskFull`, `PermissionDenied`, `StoreFailed`) pass through unchanged.
 *
 * @example
 * ```ts
 * const bytes = createFileByteStore({ fs, directory: '/var/lib/app/session/bytes' });
 * await bytes.append('part-1', new TextEncoder().encode('hello'));
 * await bytes.sync('part-1');
 * const { location } = await bytes.handOver('part-1', {
 *   destination: { type: 'directory', directory: '/home/me/Downloads', ifExists: 'rename' },
 *   suggestedName: 'hello.txt',
 * });
 * location; // '/home/me/Downloads/hello.txt'
 * ```
 */
export function createFileByteStore(options: FileByteStoreOptions): FileByteStore {
  const { fs } = options;
  const layout = fileByteStoreLayout(fs, options.directory, options.probe);
  const readChunkSize = Math.max(1, Math.floor(options.readChunkSize ?? 64 * 1024));
  /** Files open for appending, by key; only ever touched inside `serially(key)`. */
  const appendHandles = new Map<string, FileHandle>();
  /** Keys whose directory entry this instance made durable (a new file is not, until then). */
  const entriesSynced = new Set<string>();
  const queues = new Map<string, Promise<unknown>>();
  let ready: Promise<void> | null = null;

  function prepare(): Promise<void> {
    ready ??= makeFileByteStoreDirectories(layout).catch((error: unknown) => {
      ready = null;
      throw error;
    });
    return ready;
  }

  /**
   * Runs the changes of one key one at a time, so a handle is never closed under a write and a
   * hand-over never moves a file mid-append.
   */
  function serially<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  async function closeAppendHandle(key: string): Promise<void> {
    const handle = appendHandles.get(key);
    if (handle === undefined) return;
    appendHandles.delete(key);
    // Durability comes from `datasync`, never from `close`: a failed close loses nothing synced.
    await handle.close().catch(() => undefined);
  }

  /** The key's file open for appending; null when it has none and `create` is false. */
  async function appendHandle(key: string, create: boolean): Promise<FileHandle | null> {
    const open = appendHandles.get(key);
    if (open !== undefined) return open;
    const path = layout.partPath(key);
    const stat = await fs.lstat(path);
    if (stat === null) {
      if (!create) return null;
      // A new part under a key once handed over: its old marker must not answer for the new bytes.
      await removeHandOverMarker(layout, key);
    } else if (stat.type !== 'file') {
      // Something planted where this task's bytes go (a link, a directory): never followed, and
      // it fails this task only (PermissionDenied), not the whole session, as the link refusal of
      // the file system does.
      throw new BgSessionError('PermissionDenied', `${path} is not a regular file; it is not followed.`, { path });
    }
    const handle = await fs.open(path, { mode: 'a', create: true });
    appendHandles.set(key, handle);
    return handle;
  }

  const store: FileByteStore = {
    capabilities,

    bootIdentity() {
      return fs.bootIdentity();
    },

    async length(key) {
      checkFileByteStoreKey(key);
      const stat = await fs.lstat(layout.partPath(key));
      return stat?.type === 'file' ? stat.size : null;
    },

    async append(key, bytes) {
      checkFileByteStoreKey(key);
      await prepare();
      return serially(key, async () => {
        const handle = await appendHandle(key, true);
        options.probe?.pass('data-write');
        await handle?.write(bytes, 'append');
      });
    },

    async sync(key) {
      checkFileByteStoreKey(key);
      return serially(key, async () => {
        const handle = await appendHandle(key, false);
        if (handle === null) return;
        await handle.datasync();
        // Closed at every sync: a key at rest holds no file open (thousands of tasks, few fds).
        await closeAppendHandle(key);
        if (!entriesSynced.has(key)) {
          await fs.fsyncDir(layout.parts);
          entriesSynced.add(key);
        }
      });
    },

    async truncate(key, length) {
      checkFileByteStoreKey(key);
      return serially(key, async () => {
        const path = layout.partPath(key);
        const stat = await fs.lstat(path);
        const current = stat?.type === 'file' ? stat.size : 0;
        if (!Number.isSafeInteger(length) || length < 0 || length > current) {
          throw new BgSessionError('InvalidArgument', `Cannot truncate ${key} (${current} bytes) to ${length}.`, {
            field: 'length',
            path: key,
          });
        }
        if (stat === null || length === current) return;
        // Through a handle of its own: an append-only handle may not truncate (Windows).
        await closeAppendHandle(key);
        const handle = await fs.open(path, { mode: 'rw' });
        try {
          await handle.truncate(length);
          // Cut bytes must not come back after a power loss: they may belong to an old validator.
          await handle.datasync();
        } finally {
          await handle.close();
        }
      });
    },

    read(key, offset = 0) {
      return readPart(key, offset);
    },

    async delete(key) {
      checkFileByteStoreKey(key);
      return serially(key, async () => {
        await closeAppendHandle(key);
        const path = layout.partPath(key);
        if ((await fs.lstat(path)) !== null) await fs.unlink(path);
        await removeHandOverMarker(layout, key);
        entriesSynced.delete(key);
      });
    },

    async keys() {
      await prepare();
      const names = new Set((await fs.readdir(layout.parts)).filter(isFileByteStoreKey));
      // A key handed over keeps its marker until deleted: listing it lets the removal of orphans
      // at open delete the markers of tasks that are gone.
      for (const name of await fs.readdir(layout.handovers)) {
        const key = name.endsWith('.json') ? name.slice(0, -'.json'.length) : null;
        if (key !== null && isFileByteStoreKey(key)) names.add(key);
      }
      return [...names].sort();
    },

    async handOver(key, request) {
      checkFileByteStoreKey(key);
      await prepare();
      return serially(key, async () => {
        // A file must be closed to be renamed on Windows, and its bytes are final now.
        await closeAppendHandle(key);
        const result = await handOverFile(layout, key, request);
        entriesSynced.delete(key);
        return result;
      });
    },

    async locationSize(location) {
      const stat = await fs.lstat(location);
      return stat?.type === 'file' ? stat.size : null;
    },

    async deleteLocation(location) {
      const key = finishedKeyOf(layout, location);
      return serially(key, async () => {
        if ((await fs.lstat(location))?.type === 'file') await fs.unlink(location);
        if ((await readHandOverMarker(layout, key))?.location === location) await removeHandOverMarker(layout, key);
      });
    },

    async close() {
      await Promise.all([...appendHandles.keys()].map((key) => serially(key, () => closeAppendHandle(key))));
    },
  };

  async function* readPart(key: string, offset: number): AsyncGenerator<Uint8Array> {
    checkFileByteStoreKey(key);
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new BgSessionError('InvalidArgument', `Cannot read ${key} from ${offset}.`, { field: 'offset', path: key });
    }
    const path = layout.partPath(key);
    if ((await fs.lstat(path))?.type !== 'file') {
      throw new BgSessionError('StoreFailed', `No bytes under ${key}.`, { path: key });
    }
    const handle = await fs.open(path, { mode: 'r' });
    try {
      // The end is fixed when the read starts: bytes appended meanwhile belong to a later read.
      const end = await handle.size();
      for (let position = offset; position < end; ) {
        const chunk = await handle.read(position, Math.min(readChunkSize, end - position));
        if (chunk.length === 0) throw new BgSessionError('StoreFailed', `${key} shrank during a read.`, { path: key });
        position += chunk.length;
        yield chunk;
      }
    } finally {
      await handle.close();
    }
  }

  return store;
}

/** The key of an in-store hand-over location; `InvalidArgument` for anything outside `finished/`. */
function finishedKeyOf(layout: FileByteStoreLayout, location: string): string {
  const key = layout.nameOf(location);
  if (layout.parentOf(location) !== layout.trimmed(layout.finished) || !isFileByteStoreKey(key)) {
    throw new BgSessionError('InvalidArgument', `${location} is not a location inside the store.`, {
      field: 'location',
      path: location,
    });
  }
  return key;
}
