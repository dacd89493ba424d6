import { createMemoryFileSystem } from '@bgsession/testing';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import type { StoreBatch } from '../ports/store.js';

/** The calls a {@link JournalTestDisk} counts and can fail. */
export type DiskCall = 'write' | 'datasync' | 'truncate' | 'rename' | 'fsyncDir' | 'unlink' | 'open';

/** What a power loss does to one unsynced piece (a 512-byte sector of a write, or a truncate). */
export type Fate = 'keep' | 'drop' | 'garble';

/** A memory file system wrapped for journal tests: counts, injected failures, a crash model. */
export interface JournalTestDisk {
  readonly fs: FileSystem;
  readonly calls: Record<DiskCall, number>;
  /**
   * Makes the next `call` reject with `error` (EIO as `StoreFailed` by default); with `path`, the
   * next one on a handle of that file (or renaming it).
   */
  failNext(call: DiskCall, options?: { readonly error?: unknown; readonly path?: string }): void;
  /** Holds every datasync until the returned function is called. */
  holdSyncs(): () => void;
  /** After `count` more mutating calls, every mutating call hangs forever: the process died there. */
  freezeAfter(count: number): void;
  /** `path`'s bytes after a power loss: its synced bytes, then each later piece's fate applied in order. */
  crashImage(path: string, fate: (piece: number) => Fate): Uint8Array;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
}

type LogEntry = { readonly type: 'write'; readonly position: number; readonly bytes: Uint8Array } | { readonly type: 'truncate'; readonly length: number };

const sector = 512;

/**
 * Creates a {@link JournalTestDisk} over a fresh memory file system. The crash model is SQLite's,
 * per 512-byte piece: each write since the file's last datasync is kept, dropped or garbled.
 */
export function createJournalTestDisk(options: { /** datasync resolves without syncing: a planted bug. */ readonly lyingSyncs?: boolean } = {}): JournalTestDisk {
  const inner = createMemoryFileSystem();
  const calls: Record<DiskCall, number> = { write: 0, datasync: 0, truncate: 0, rename: 0, fsyncDir: 0, unlink: 0, open: 0 };
  const failures = new Map<DiskCall, { readonly error: unknown; readonly path: string | undefined }>();
  const synced = new Map<string, Uint8Array>();
  const logs = new Map<string, LogEntry[]>();
  let heldSyncs: Array<() => void> | null = null;
  let budget = Infinity;

  async function step(call: DiskCall, path?: string): Promise<void> {
    calls[call] += 1;
    if (call !== 'open') {
      if (budget <= 0) await new Promise<never>(() => undefined);
      budget -= 1;
    }
    const failure = failures.get(call);
    if (failure === undefined || (failure.path !== undefined && failure.path !== path)) return;
    failures.delete(call);
    throw failure.error;
  }

  async function contentOf(path: string): Promise<Uint8Array> {
    const handle = await inner.open(path, { mode: 'r' });
    const bytes = await handle.read(0, await handle.size());
    await handle.close();
    return bytes;
  }

  function logOf(path: string): LogEntry[] {
    let log = logs.get(path);
    if (log === undefined) {
      log = [];
      logs.set(path, log);
    }
    return log;
  }

  function wrap(path: string, handle: FileHandle): FileHandle {
    return {
      read: (position, length) => handle.read(position, length),
      size: () => handle.size(),
      close: () => handle.close(),
      async write(bytes, position) {
        await step('write', path);
        const at = position === 'append' ? await handle.size() : position;
        logOf(path).push({ type: 'write', position: at, bytes: bytes.slice() });
        await handle.write(bytes, position);
      },
      async truncate(length) {
        await step('truncate', path);
        logOf(path).push({ type: 'truncate', length });
        await handle.truncate(length);
      },
      async datasync() {
        await step('datasync', path);
        if (heldSyncs !== null) {
          const held = heldSyncs;
          await new Promise<void>((resolve) => held.push(resolve));
        }
        await handle.datasync();
        if (options.lyingSyncs === true) return;
        synced.set(path, await contentOf(path));
        logs.set(path, []);
      },
    };
  }

  const fs: FileSystem = {
    ...inner,
    async open(path, options) {
      await step('open');
      const existed = (await inner.lstat(path)) !== null;
      const handle = await inner.open(path, options);
      if (!existed) synced.set(path, new Uint8Array());
      return wrap(path, handle);
    },
    async rename(from, to) {
      await step('rename', from);
      await inner.rename(from, to);
      // Renames are modelled as durable at once; only file contents are lossy here.
      synced.set(to, synced.get(from) ?? new Uint8Array());
      logs.set(to, logs.get(from) ?? []);
      synced.delete(from);
      logs.delete(from);
    },
    async unlink(path) {
      await step('unlink', path);
      await inner.unlink(path);
    },
    async fsyncDir(path) {
      await step('fsyncDir', path);
      await inner.fsyncDir(path);
    },
  };

  return {
    fs,
    calls,
    failNext(call, options = {}) {
      const error = options.error ?? new BgSessionError('StoreFailed', `${call} failed (EIO).`, { cause: 'EIO' });
      failures.set(call, { error, path: options.path });
    },
    holdSyncs() {
      const held: Array<() => void> = [];
      heldSyncs = held;
      return () => {
        heldSyncs = null;
        for (const release of held.splice(0)) release();
      };
    },
    freezeAfter(count) {
      budget = count;
    },
    crashImage(path, fate) {
      let image: Uint8Array = (synced.get(path) ?? new Uint8Array()).slice();
      let piece = 0;
      for (const entry of logs.get(path) ?? []) {
        if (entry.type === 'truncate') {
          if (fate(piece++) !== 'drop') image = resize(image, entry.length);
          continue;
        }
        for (let from = entry.position; from < entry.position + entry.bytes.length; ) {
          const to = Math.min(entry.position + entry.bytes.length, (Math.floor(from / sector) + 1) * sector);
          const what = fate(piece++);
          if (what !== 'drop') {
            if (image.length < to) image = resize(image, to);
            const part = entry.bytes.subarray(from - entry.position, to - entry.position);
            image.set(what === 'keep' ? part : garbage(part.length, piece), from);
          }
          from = to;
        }
      }
      return image;
    },
    readFile: contentOf,
    async writeFile(path, bytes) {
      const handle = await inner.open(path, { mode: 'rw', create: true });
      await handle.truncate(0);
      await handle.write(bytes, 0);
      await handle.close();
      synced.set(path, bytes.slice());
      logs.set(path, []);
    },
  };
}

function resize(bytes: Uint8Array, length: number): Uint8Array {
  const next = new Uint8Array(length);
  next.set(bytes.subarray(0, Math.min(length, bytes.length)));
  return next;
}

function garbage(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = (seed * 2_654_435_761) >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/**
 * A test disk with `/sessions` made, where the journal tests put their session directory.
 *
 * @example
 * ```ts
 * const disk = await newSessionsDisk();
 * createJournalStore({ fs: disk.fs, directory: '/sessions/photos' });
 * ```
 */
export async function newSessionsDisk(): Promise<JournalTestDisk> {
  const disk = createJournalTestDisk();
  await disk.fs.mkdir('/sessions');
  return disk;
}

/**
 * A strict commit of one task record.
 *
 * @example
 * ```ts
 * await store.commit(putTask('1', { phase: 'scheduled' }));
 * ```
 */
export function putTask(key: string, value: unknown): StoreBatch {
  return { operations: [{ type: 'put', collection: 'tasks', key, value }], durability: 'strict' };
}
