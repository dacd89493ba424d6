import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { isAbsolute, join } from 'node:path';
import { BgSessionError, type FileStat, type FileSystem, type OpenOptions } from '@bgsession/core';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';
import { fdCalls } from './fd-calls.js';
import { createNodeFileHandle } from './node-file-handle.js';
import { readBootIdentity } from './read-boot-identity.js';
import { takeNodeLock } from './take-node-lock.js';

/** Options of {@link createNodeFileSystem}. */
export interface NodeFileSystemOptions {
  /**
   * Whose rules apply: the kind of lock, whether a directory fsync may fail with EPERM, where the boot
   * identity comes from. Defaults to `process.platform`; a test sets another one to run that
   * platform's code path here (the socket-file lock of macOS works on Linux too).
   */
  readonly platform?: NodeJS.Platform;
}

/** Files and directories the library makes are the owner's alone (faults.md E28). */
// node:fs's callback functions, not node:fs/promises: the same system calls for about half the
// main thread's time per call (see fd-calls.ts), and a session makes several per small file.
const { constants } = fs;
const open = promisify(fs.open);
const close = promisify(fs.close);
const fsync = promisify(fs.fsync);
const lstat = promisify(fs.lstat);
const readdir = promisify(fs.readdir);
const mkdir = promisify(fs.mkdir);
const rename = promisify(fs.rename);
const link = promisify(fs.link);
const unlink = promisify(fs.unlink);

const fileMode = 0o600;
const directoryMode = 0o700;

const accessFlags: Readonly<Record<OpenOptions['mode'], number>> = {
  r: constants.O_RDONLY,
  rw: constants.O_RDWR,
  // Read and write so that an appending handle can also read back, as the in-memory FileSystem allows.
  a: constants.O_RDWR | constants.O_APPEND,
};

/**
 * What `open` with O_NOFOLLOW says about a symbolic link: ELOOP on Linux and macOS, EMLINK on
 * FreeBSD, EFTYPE on NetBSD.
 */
const symbolicLinkCodes: ReadonlySet<string> = new Set(['ELOOP', 'EMLINK', 'EFTYPE']);

/**
 * Creates the {@link FileSystem} of Node: `node:fs/promises` for files, a socket held open for
 * locks, `/proc` or the uptime for the boot identity.
 *
 * - `open` never follows a symbolic link at the last component (O_NOFOLLOW; where the platform has
 *   none, Windows, an `lstat` first) and creates files with mode 0600; `mkdir` makes every missing
 *   parent too, with mode 0700 (both narrowed further by the umask, never widened).
 * - Errors are `BgSessionError`s: ENOSPC and EDQUOT `DiskFull`; EACCES, EPERM, ELOOP and EROFS
 *   `PermissionDenied`; EEXIST `DestinationExists` with `path`; ENOENT (outside `lstat`, which gives
 *   `null`), EIO and the rest `StoreFailed`, each with the Node error as `cause`.
 * - A failed `datasync` is never retried, and the handle refuses to sync again (see
 *   `createNodeFileHandle`).
 * - `fsyncDir` tolerates EPERM and EISDIR on Windows only, where a directory cannot be fsynced.
 * - `lock(path)`: see `takeNodeLock` (on Linux an abstract Unix socket named for the directory and a
 *   socket file in it, ADR 21; a named pipe on Windows; a socket file in `path` elsewhere); the lock
 *   does not keep the process alive.
 *
 * @example
 * ```ts
 * const fs = createNodeFileSystem();
 * const lock = await fs.lock('/home/me/.bgsession/sessions/app');
 * await fs.mkdir('/home/me/.bgsession/sessions/app');
 * const handle = await fs.open('/home/me/.bgsession/sessions/app/journal', { mode: 'a', create: true });
 * await handle.write(new TextEncoder().encode('record\n'), 'append');
 * await handle.datasync();
 * await handle.close();
 * await lock.release();
 * ```
 */
export function createNodeFileSystem(options: NodeFileSystemOptions = {}): FileSystem {
  const platform = options.platform ?? process.platform;
  let bootIdentity: Promise<string> | undefined;

  async function attempt<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
    if (!isAbsolute(path)) {
      throw new BgSessionError('StoreFailed', `Could not ${operation} ${path}: not an absolute path.`, { path });
    }
    try {
      return await run();
    } catch (error) {
      throw fileSystemError(error, operation, path);
    }
  }

  return {
    open(path, openOptions) {
      return attempt('open', path, async () => {
        let flags = accessFlags[openOptions.mode];
        if (openOptions.create === true) flags |= constants.O_CREAT | (openOptions.exclusive === true ? constants.O_EXCL : 0);
        const noFollow: number | undefined = constants.O_NOFOLLOW;
        if (noFollow === undefined) {
          // Not atomic, but Windows needs a privilege to make symbolic links at all.
          if ((await lstat(path).catch(() => null))?.isSymbolicLink() === true) throw symbolicLinkRefused(path);
        } else {
          flags |= noFollow;
        }
        let fd: number;
        try {
          fd = await open(path, flags, fileMode);
        } catch (error) {
          const code = errnoCodeOf(error);
          if (noFollow !== undefined && code !== undefined && symbolicLinkCodes.has(code)) throw symbolicLinkRefused(path, error);
          throw error;
        }
        return createNodeFileHandle(fdCalls(fd), path, openOptions.mode);
      });
    },
    lstat(path) {
      return attempt('stat', path, async (): Promise<FileStat | null> => {
        let stats;
        try {
          stats = await lstat(path, { bigint: true });
        } catch (error) {
          const code = errnoCodeOf(error);
          // ENOTDIR: a parent is a file, so nothing can be at `path` either.
          if (code === 'ENOENT' || code === 'ENOTDIR') return null;
          throw error;
        }
        const type = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'other';
        return {
          type,
          size: Number(stats.size),
          mtimeMs: Number(stats.mtimeNs / 1000n) / 1000,
          // Read as bigints: inode numbers past 2^53 exist (XFS, Windows file ids).
          identity: stats.ino === 0n ? null : `${stats.dev}:${stats.ino}`,
        };
      });
    },
    readdir(path) {
      return attempt('list', path, async () => (await readdir(path)).sort());
    },
    mkdir(path) {
      return attempt('make the directory', path, async () => {
        await mkdir(path, { recursive: true, mode: directoryMode });
      });
    },
    rename(from, to) {
      return attempt('rename', from, async () => {
        if (!isAbsolute(to)) throw new BgSessionError('StoreFailed', `Could not rename to ${to}: not an absolute path.`, { path: to });
        await rename(from, to);
      });
    },
    link(from, to) {
      return attempt('link', to, async () => {
        if (!isAbsolute(from)) throw new BgSessionError('StoreFailed', `Could not link ${from}: not an absolute path.`, { path: from });
        await link(from, to);
      });
    },
    unlink(path) {
      return attempt('unlink', path, () => unlink(path));
    },
    fsyncDir(path) {
      return attempt('sync the directory', path, async () => {
        let fd: number | undefined;
        try {
          fd = await open(path, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
          await fsync(fd);
        } catch (error) {
          // Windows cannot open or flush a directory; NTFS journals the rename itself.
          const code = errnoCodeOf(error);
          if (platform === 'win32' && (code === 'EPERM' || code === 'EISDIR')) return;
          throw error;
        } finally {
          if (fd !== undefined) await close(fd).catch(() => undefined);
        }
      });
    },
    join(...segments) {
      return join(...segments);
    },
    lock(path) {
      return attempt('lock', path, () => takeNodeLock(path, platform));
    },
    bootIdentity() {
      // Read once: the identity of this boot cannot change while this process runs.
      bootIdentity ??= readBootIdentity(platform);
      return bootIdentity;
    },
  };
}

function symbolicLinkRefused(path: string, cause?: unknown): BgSessionError {
  return new BgSessionError('PermissionDenied', `${path} is a symbolic link, which bgsession never follows.`, {
    path,
    ...(cause === undefined ? {} : { cause }),
  });
}
