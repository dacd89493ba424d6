import { randomUUID } from 'node:crypto';
import { mkdir, readlink, stat } from 'node:fs/promises';
import { BgSessionError, type FileLock } from '@bgsession/core';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';
import { listenForLock } from './listen-for-lock.js';
import { lockNameFor } from './lock-name.js';
import { takeSocketFileLock } from './socket-file-lock.js';

/**
 * How a platform holds a lock without flock (Node 20 has none, and no native addon is used):
 * - `abstract-socket-and-socket-file` (Linux, ADR 21): a Unix socket in the abstract namespace,
 *   which the kernel frees when the owner dies and which is named for the directory's device and
 *   inode (so a bind mount of it names the same lock); then, as it belongs to one network namespace
 *   (two containers sharing a volume do not see each other's), also the `socket-file` lock, which
 *   every process that sees the directory finds.
 * - `abstract-socket` (Android): the abstract socket alone, named for the path; apps share one
 *   network namespace, and their shared storage holds no socket files.
 * - `named-pipe` (Windows): a named pipe, freed likewise when its owner dies.
 * - `socket-file` (the rest): a socket file in the locked directory, with a stale-file check.
 */
export type LockKind = 'abstract-socket-and-socket-file' | 'abstract-socket' | 'named-pipe' | 'socket-file';

/**
 * The kind of lock {@link takeNodeLock} uses on `platform`.
 *
 * @example
 * ```ts
 * lockKindFor('linux'); // 'abstract-socket-and-socket-file'
 * lockKindFor('darwin'); // 'socket-file'
 * ```
 */
export function lockKindFor(platform: NodeJS.Platform): LockKind {
  if (platform === 'linux') return 'abstract-socket-and-socket-file';
  if (platform === 'android') return 'abstract-socket';
  if (platform === 'win32') return 'named-pipe';
  return 'socket-file';
}

/**
 * Takes the exclusive lock named for `path` (the FileSystem port's `lock`): rejects with
 * `SessionInUse` while a live owner, in this process or another, holds it; a killed owner's lock is
 * free again. With the `socket-file` kinds, `path` is a directory (made when missing) that holds the
 * socket file; the other kinds write nothing.
 *
 * @example
 * ```ts
 * const lock = await takeNodeLock('/home/me/.bgsession/sessions/app', process.platform);
 * try {
 *   // ... own the session ...
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export async function takeNodeLock(path: string, platform: NodeJS.Platform): Promise<FileLock> {
  const { canonical, hash } = await lockNameFor(path);
  const kind = lockKindFor(platform);
  if (kind === 'socket-file') return takeSocketFileLock(canonical, hash);
  if (kind === 'named-pipe') return listenOrInUse(`\\\\.\\pipe\\bgsession-${hash}`, path);
  if (kind === 'abstract-socket') return listenOrInUse(`\0bgsession-${hash}`, path);

  try {
    await mkdir(canonical, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileSystemError(error, 'make the lock directory', canonical);
  }
  const outer = await listenOrInUse(`\0bgsession-dir-${await identityOf(canonical)}`, path);
  try {
    // The outer lock is held from here on: the socket file's recovery guard can name this network
    // namespace and be trusted to be stale when this namespace's name is on it.
    const inner = await takeSocketFileLock(canonical, hash, { throughProc: true, guardScope: await networkNamespace(), optional: true });
    return bothReleased(inner, outer);
  } catch (error) {
    await outer.release();
    throw error;
  }
}

async function listenOrInUse(address: string, path: string): Promise<FileLock> {
  try {
    return await listenForLock(address);
  } catch (error) {
    if (errnoCodeOf(error) === 'EADDRINUSE') {
      throw new BgSessionError('SessionInUse', `${path} is locked by a live owner: another session has it open, in this process or another; close that one first.`, { path, cause: error });
    }
    throw fileSystemError(error, 'take the lock of', path);
  }
}

/** `<device>-<inode>` of `directory`: one name for every path to it (links, bind mounts). */
async function identityOf(directory: string): Promise<string> {
  try {
    const { dev, ino } = await stat(directory, { bigint: true });
    return `${dev}-${ino}`;
  } catch (error) {
    throw fileSystemError(error, 'identify the lock directory', directory);
  }
}

let namespace: Promise<string> | undefined;

/** This process's network namespace (`net:[4026531840]`), read once: a process cannot change it. */
function networkNamespace(): Promise<string> {
  // Without /proc no guard can be told apart: a name of this process's own matches none (a pid could
  // match another container's), and guards age out as on macOS.
  namespace ??= readlink('/proc/self/ns/net').catch(() => `unknown:${randomUUID()}`);
  return namespace;
}

/** Releases `inner` first, so a taker that gets `outer` next finds no live socket file. */
function bothReleased(inner: FileLock, outer: FileLock): FileLock {
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= inner.release().finally(() => outer.release());
      return released;
    },
  };
}
