import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';

/** A FileSystem wrapper that injects the faults the file ByteStore must survive. */
export interface FaultyFileSystem extends FileSystem {
  /** Calls made so far, file-system and handle calls alike. */
  readonly calls: number;
  /** Handles open now. */
  readonly openHandles: number;
  /** While true, writes reject with `DiskFull` (ENOSPC) and change nothing. */
  diskFull: boolean;
  /** The call number (1-based) at which the process dies: it and every later call reject. */
  crashAt: number | null;
  /** Paths under these top-level directories are another device: rename and link across fail (EXDEV). */
  otherDevices: readonly string[];
  /** When true, `link` rejects with `PermissionDenied`, as on FAT (no hard links). */
  noHardLinks: boolean;
  /** Plants a symbolic link at `path` (the memory file system has none): lstat sees it, nothing follows it. */
  plantSymlink(path: string): void;
}

/** The error a dead process's calls end with: not a BgSessionError, nothing a store could handle. */
export class ProcessKilled extends Error {}

/**
 * Wraps `inner` (a memory file system, POSIX paths) with injectable faults.
 *
 * @example
 * ```ts
 * const fs = faultyFileSystem(createMemoryFileSystem());
 * fs.diskFull = true;
 * ```
 */
export function faultyFileSystem(inner: FileSystem): FaultyFileSystem {
  const symlinks = new Set<string>();
  let calls = 0;
  let openHandles = 0;

  function step(): void {
    calls += 1;
    if (wrapper.crashAt !== null && calls >= wrapper.crashAt) throw new ProcessKilled(`killed at call ${wrapper.crashAt}`);
  }
  function deviceOf(path: string): string {
    return wrapper.otherDevices.find((top) => path === top || path.startsWith(`${top}/`)) ?? '';
  }
  function acrossDevices(from: string, to: string): void {
    if (deviceOf(from) !== deviceOf(to)) throw new BgSessionError('StoreFailed', `Cannot move ${from} to ${to} (EXDEV).`, { path: to });
  }
  function wrapHandle(handle: FileHandle): FileHandle {
    openHandles += 1;
    return {
      read: async (position, length) => (step(), handle.read(position, length)),
      write: async (bytes, position) => {
        step();
        if (wrapper.diskFull) throw new BgSessionError('DiskFull', 'No space left on device (ENOSPC).');
        return handle.write(bytes, position);
      },
      datasync: async () => (step(), handle.datasync()),
      truncate: async (length) => (step(), handle.truncate(length)),
      size: async () => (step(), handle.size()),
      close: async () => {
        step();
        openHandles -= 1;
        return handle.close();
      },
    };
  }

  const wrapper: FaultyFileSystem = {
    get calls() {
      return calls;
    },
    get openHandles() {
      return openHandles;
    },
    diskFull: false,
    crashAt: null,
    otherDevices: [],
    noHardLinks: false,
    plantSymlink(path) {
      symlinks.add(path);
    },
    async open(path, options) {
      step();
      if (symlinks.has(path)) {
        if (options.create === true && options.exclusive === true) throw new BgSessionError('DestinationExists', `${path} exists (EEXIST).`, { path });
        throw new BgSessionError('PermissionDenied', `${path} is a symbolic link (ELOOP).`, { path });
      }
      return wrapHandle(await inner.open(path, options));
    },
    async lstat(path) {
      step();
      if (symlinks.has(path)) return { type: 'symlink', size: 11, mtimeMs: 0, identity: null };
      return inner.lstat(path);
    },
    async readdir(path) {
      step();
      const links = [...symlinks].filter((link) => link.startsWith(`${path}/`) && !link.slice(path.length + 1).includes('/'));
      return [...(await inner.readdir(path)), ...links.map((link) => link.slice(path.length + 1))].sort();
    },
    async mkdir(path) {
      step();
      return inner.mkdir(path);
    },
    async rename(from, to) {
      step();
      acrossDevices(from, to);
      // Renaming onto a link replaces the link itself; its target is not touched.
      symlinks.delete(to);
      return inner.rename(from, to);
    },
    async link(from, to) {
      step();
      if (wrapper.noHardLinks) throw new BgSessionError('PermissionDenied', `Cannot link ${to} (EPERM).`, { path: to });
      acrossDevices(from, to);
      if (symlinks.has(to)) throw new BgSessionError('DestinationExists', `${to} exists (EEXIST).`, { path: to });
      return inner.link(from, to);
    },
    async unlink(path) {
      step();
      if (symlinks.delete(path)) return;
      return inner.unlink(path);
    },
    async fsyncDir(path) {
      step();
      return inner.fsyncDir(path);
    },
    join: (...segments) => inner.join(...segments),
    async lock(path) {
      step();
      return inner.lock(path);
    },
    async bootIdentity() {
      step();
      return inner.bootIdentity();
    },
  };
  return wrapper;
}

/** The bytes of the file at `path` on `fs`, or null when there is none. */
export async function readFileBytes(fs: FileSystem, path: string): Promise<Uint8Array | null> {
  const stat = await fs.lstat(path);
  if (stat?.type !== 'file') return null;
  const handle = await fs.open(path, { mode: 'r' });
  try {
    return await handle.read(0, stat.size);
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` as the whole file at `path` on `fs`. */
export async function writeFileBytes(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(path, { mode: 'rw', create: true });
  await handle.truncate(0);
  await handle.write(bytes, 0);
  await handle.datasync();
  await handle.close();
}
