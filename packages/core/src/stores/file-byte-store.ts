import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import type { Destination } from '../model/task-types.js';
import type { ByteStore, ByteStoreCapabilities } from '../ports/byte-store.js';
import type { FileHandle, FileStat, FileSystem } from '../ports/file-system.js';
import { markerNamesOf, type FileByteStoreContext } from './file-byte-store-context.js';
import { directorySyncGroup } from './file-byte-store-directory-sync.js';
import { handOverFile } from './file-byte-store-hand-over.js';
import { checkFileByteStoreKey, fileByteStoreLayout, isFileByteStoreKey, makeFileByteStoreDirectories } from './file-byte-store-layout.js';
import { readHandOverMarker, removeHandOverMarker, removeLinkMarker } from './file-byte-store-marker.js';
import { finishedKeyOf, readPart } from './file-byte-store-read.js';
import { fileByteStoreSource } from './file-byte-store-source.js';
import type { Probe } from '../ports/probe.js';

/** A data sync under way: the handle it runs on, and how many appends the key had when it began. */
interface StartedSync {
  readonly handle: FileHandle;
  readonly datasync: Promise<void>;
  readonly entry: Promise<void> | null;
  readonly appends: number;
}

/** Options of {@link createFileByteStore}. */
export interface FileByteStoreOptions {
  /** The file system to keep the bytes on (node:fs in Node, the lossy disk in the simulator). */
  readonly fs: FileSystem;
  /**
   * The store's directory, an absolute path. It is created when missing; its parent must exist.
   * Nothing else may write in it.
   */
  readonly directory: string;
  /** The size of the chunks `read` and `readSource` yield; 64 KiB by default. */
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

/** How many destination directories `checkDestination` remembers before it starts again. */
const maxKnownDirectories = 256;

const capabilities: ByteStoreCapabilities = {
  // A killed process's writes are in the OS's cache: they reach the disk without it.
  unsyncedSurviveWriter: true,
};

/**
 * Creates the file ByteStore (architecture.md "Ports"), written only against the FileSystem port
 * so the code Node runs is the code the simulator's lossy disk tortures. In `directory`:
 * `parts/<key>` holds partial bytes, `finished/<key>` the hand-overs without a destination,
 * `handovers/<key>.link` (a second name of the delivered file) or `handovers/<key>.json` (where
 * the bytes went) for each key handed over, so a repeated hand-over answers the same.
 *
 * Syncs are shared where they can be: a new part's directory entry is synced beside its bytes, and
 * the directory syncs of concurrent calls are one (see `directorySyncGroup`); a hand-over to one
 * fixed place moves the bytes by a hard link and needs no marker file (see `linkHandOver`).
 *
 * Keys are lower-case letters, digits, `.`, `_` and `-` (at most 200); anything else, `..` and `/`
 * first, is `InvalidArgument`. A file stays open between appends and is closed by a `sync` that finds it at rest, so a
 * download holds one file open while it writes and none at rest. An upload's file of the app's is
 * read where it is, never copied (`sourceStat`, `readSource`: see `fileByteStoreSource`). The file system's
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
  // Directories `checkDestination` found, so that thousands of downloads into one cost one lstat;
  // one is forgotten when a hand-over into it fails. Looks in flight are shared: an app that
  // creates thousands at once (B3) would otherwise start one lstat per download before the first
  // answer came back.
  const knownDirectories = new Set<string>();
  const lookingAt = new Map<string, Promise<FileStat | null>>();
  const destinationDirectory = (destination: Destination): string => (destination.type === 'path' ? layout.parentOf(destination.path) : destination.directory);
  const readChunkSize = Math.max(1, Math.floor(options.readChunkSize ?? 64 * 1024));
  const context: FileByteStoreContext = {
    layout,
    jsonMarkers: new Set(),
    linkMarkers: new Set(),
    syncDirectory: directorySyncGroup(fs),
    linked: false,
  };
  /** Files open for appending, by key; only ever touched inside `serially(key)`. */
  const appendHandles = new Map<string, FileHandle>();
  // The data syncs running on each open handle (they run outside the key's queue): a handle is
  // closed only once they settled, or a sync would fail with EBADF, or land on whatever file
  // reused the descriptor and report bytes durable that are not.
  const syncing = new Map<FileHandle, Set<Promise<void>>>();
  /** Appends made per key, so a sync can tell whether its key is at rest when it ends. */
  const appendsOf = new Map<string, number>();
  /** Keys whose directory entry this instance made durable (a new file is not, until then). */
  const entriesSynced = new Set<string>();
  /**
   * What this instance knows of a key's part file without asking: 'present' once it opened it as
   * a regular file, 'absent' once it moved it away; forgotten at delete (unknown: ask).
   */
  const parts = new Map<string, 'present' | 'absent'>();
  /**
   * The part files `keys()` found, once it ran. This instance is the only writer, so a key it did
   * not find, and has not touched since, has no part file: a new task's first attempt asks for its
   * length without a system call.
   */
  let listedParts: ReadonlySet<string> | null = null;

  /** Whether the key surely has no part file, known without asking the file system. */
  function knownAbsent(key: string): boolean {
    const known = parts.get(key);
    return known === 'absent' || (known === undefined && listedParts !== null && !listedParts.has(key));
  }
  const queues = new Map<string, Promise<unknown>>();
  let ready: Promise<void> | null = null;

  /** Makes the directories and reads which keys have hand-over markers; once per instance. */
  function prepare(): Promise<void> {
    ready ??= (async () => {
      await makeFileByteStoreDirectories(layout);
      const names = markerNamesOf(await fs.readdir(layout.handovers));
      for (const key of names.jsonMarkers) context.jsonMarkers.add(key);
      for (const key of names.linkMarkers) context.linkMarkers.add(key);
    })().catch((error: unknown) => {
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
    const running = syncing.get(handle);
    if (running !== undefined) await Promise.allSettled(running);
    // Durability comes from `datasync`, never from `close`: a failed close loses nothing synced.
    await handle.close().catch(() => undefined);
  }

  /** The key's file open for appending; null when it has none and `create` is false. */
  async function appendHandle(key: string, create: boolean): Promise<FileHandle | null> {
    const open = appendHandles.get(key);
    if (open !== undefined) return open;
    const path = layout.partPath(key);
    let handle: FileHandle | null = null;
    if (create && parts.get(key) === 'present') {
      handle = await fs.open(path, { mode: 'a', create: true });
    } else if (create && !context.jsonMarkers.has(key) && !context.linkMarkers.has(key)) {
      // The usual case, a new part: one call, and a file this call created is a regular file.
      handle = await fs.open(path, { mode: 'a', create: true, exclusive: true }).catch((error: unknown) => {
        if (isBgSessionError(error, 'DestinationExists')) return null;
        throw error;
      });
    }
    if (handle === null) {
      const stat = await fs.lstat(path);
      if (stat === null) {
        if (!create) return null;
        // A new part under a key once handed over: its old markers must not answer for the new bytes.
        await removeHandOverMarker(context, key);
        await removeLinkMarker(context, key);
      } else if (stat.type !== 'file') {
        // Something planted where this task's bytes go (a link, a directory): never followed, and
        // it fails this task only (PermissionDenied), not the whole session, as the link refusal of
        // the file system does.
        throw new BgSessionError('PermissionDenied', `${path} is not a regular file; it is not followed.`, { path });
      }
      handle = await fs.open(path, { mode: 'a', create: true });
    }
    parts.set(key, 'present');
    appendHandles.set(key, handle);
    return handle;
  }

  const store: FileByteStore = {
    capabilities,
    ...fileByteStoreSource(fs, readChunkSize),

    bootIdentity() {
      return fs.bootIdentity();
    },

    async length(key) {
      checkFileByteStoreKey(key);
      if (knownAbsent(key)) return null;
      const stat = await fs.lstat(layout.partPath(key));
      return stat?.type === 'file' ? stat.size : null;
    },

    async append(key, bytes) {
      checkFileByteStoreKey(key);
      await prepare();
      return serially(key, async () => {
        const handle = await appendHandle(key, true);
        options.probe?.pass('data-write');
        appendsOf.set(key, (appendsOf.get(key) ?? 0) + 1);
        await handle?.write(bytes, 'append');
      });
    },

    async sync(key) {
      checkFileByteStoreKey(key);
      // The data sync runs outside the key's queue: appends called after this sync go on while it
      // runs (a download keeps writing through its checkpoint, B1), and the sync covers every byte
      // appended before it was called, as `fdatasync` does.
      const sync = await serially(key, async (): Promise<StartedSync | null> => {
        const handle = await appendHandle(key, false);
        if (handle === null) return null;
        // The file's entry and its bytes are synced at the same time: neither waits for the other.
        const entry = entriesSynced.has(key) ? null : context.syncDirectory(layout.parts);
        const datasync = handle.datasync();
        const running = syncing.get(handle) ?? new Set<Promise<void>>();
        syncing.set(handle, running);
        running.add(datasync);
        const settled = (): void => {
          running.delete(datasync);
          if (running.size === 0 && syncing.get(handle) === running) syncing.delete(handle);
        };
        datasync.then(settled, settled);
        // Observed now, so a failure before it is awaited is never an unhandled rejection.
        entry?.catch(() => undefined);
        datasync.catch(() => undefined);
        return { handle, datasync, entry, appends: appendsOf.get(key) ?? 0 };
      });
      if (sync === null) return;
      try {
        await sync.datasync;
      } catch (error) {
        // The handle stays open: it refuses to sync again, where a new one would claim bytes
        // the kernel may have dropped durable.
        await sync.entry?.catch(() => undefined);
        throw error;
      }
      if (sync.entry !== null) {
        await sync.entry;
        entriesSynced.add(key);
      }
      // Closed once the key is at rest (nothing appended since this sync began): thousands of
      // tasks, few open files.
      await serially(key, async () => {
        if (appendHandles.get(key) === sync.handle && (appendsOf.get(key) ?? 0) === sync.appends) await closeAppendHandle(key);
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
      return readPart(layout, key, offset, readChunkSize);
    },

    async delete(key) {
      checkFileByteStoreKey(key);
      await prepare();
      return serially(key, async () => {
        await closeAppendHandle(key);
        const path = layout.partPath(key);
        // Not synced, like the removal of the link marker: bytes that come back after a power loss
        // belong to no task and are removed at the next open.
        const known = parts.get(key);
        if (known === 'present' || (!knownAbsent(key) && (await fs.lstat(path)) !== null)) await fs.unlink(path);
        parts.delete(key);
        entriesSynced.delete(key);
        appendsOf.delete(key);
        await removeHandOverMarker(context, key);
        await removeLinkMarker(context, key);
      });
    },

    async keys() {
      await prepare();
      const names = new Set((await fs.readdir(layout.parts)).filter(isFileByteStoreKey));
      listedParts = new Set(names);
      // A key handed over keeps its marker until deleted: listing it lets the removal of orphans
      // at open delete the markers of tasks that are gone.
      const markers = markerNamesOf(await fs.readdir(layout.handovers));
      for (const key of [...markers.jsonMarkers, ...markers.linkMarkers]) names.add(key);
      return [...names].sort();
    },

    async handOver(key, request) {
      checkFileByteStoreKey(key);
      await prepare();
      return serially(key, async () => {
        // A file must be closed to be renamed on Windows, and its bytes are final now.
        await closeAppendHandle(key);
        const result = await handOverFile(context, key, request, parts.get(key) === 'present').catch((error: unknown) => {
          // The directory may be gone since `checkDestination` found it: look again next time.
          if (request.destination !== null) knownDirectories.delete(destinationDirectory(request.destination));
          throw error;
        });
        parts.set(key, 'absent');
        entriesSynced.delete(key);
        appendsOf.delete(key);
        return result;
      });
    },

    async checkDestination(destination) {
      const directory = destinationDirectory(destination);
      if (knownDirectories.has(directory)) return;
      let look = lookingAt.get(directory);
      if (look === undefined) {
        look = fs.lstat(directory).finally(() => lookingAt.delete(directory));
        lookingAt.set(directory, look);
      }
      const stat = await look;
      // The hand-over's rule: a link at the directory itself is the app's choice.
      if (stat === null || stat.type === 'file' || stat.type === 'other') {
        const what = stat === null ? 'does not exist' : 'is not a directory';
        throw new BgSessionError('InvalidArgument', `destination: the directory ${directory} ${what}.`, { field: 'destination', path: directory });
      }
      if (knownDirectories.size >= maxKnownDirectories) knownDirectories.clear();
      knownDirectories.add(directory);
    },

    async locationSize(location) {
      const stat = await fs.lstat(location);
      return stat?.type === 'file' ? stat.size : null;
    },

    async deleteLocation(location) {
      const key = finishedKeyOf(layout, location);
      await prepare();
      return serially(key, async () => {
        if ((await fs.lstat(location))?.type === 'file') await fs.unlink(location);
        if ((await readHandOverMarker(context, key))?.location === location) await removeHandOverMarker(context, key);
        // A key handed over by a link went to its finished/ name, this location: its link marker
        // is the last name of those bytes.
        await removeLinkMarker(context, key);
      });
    },

    async close() {
      await Promise.all([...appendHandles.keys()].map((key) => serially(key, () => closeAppendHandle(key))));
    },
  };

  return store;
}
