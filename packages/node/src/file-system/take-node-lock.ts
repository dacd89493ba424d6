import { BgSessionError, type FileLock } from '@bgsession/core';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';
import { listenForLock } from './listen-for-lock.js';
import { lockNameFor } from './lock-name.js';
import { takeSocketFileLock } from './socket-file-lock.js';

/**
 * How a platform holds a lock without flock (Node 20 has none, and no native addon is used):
 * - `abstract-socket` (Linux, Android): a Unix socket in the abstract namespace, which the kernel
 *   frees when the owner dies and which leaves nothing on disk. Abstract names belong to a network
 *   namespace: two containers with their own network namespaces sharing one volume do not see each
 *   other's locks.
 * - `named-pipe` (Windows): a named pipe, freed likewise when its owner dies.
 * - `socket-file` (the rest): a socket file in the locked directory, with a stale-file check.
 */
export type LockKind = 'abstract-socket' | 'named-pipe' | 'socket-file';

/**
 * The kind of lock {@link takeNodeLock} uses on `platform`.
 *
 * @example
 * ```ts
 * lockKindFor('linux'); // 'abstract-socket'
 * lockKindFor('darwin'); // 'socket-file'
 * ```
 */
export function lockKindFor(platform: NodeJS.Platform): LockKind {
  if (platform === 'linux' || platform === 'android') return 'abstract-socket';
  if (platform === 'win32') return 'named-pipe';
  return 'socket-file';
}

/**
 * Takes the exclusive lock named for `path` (the FileSystem port's `lock`): rejects with
 * `SessionInUse` while a live owner, in this process or another, holds it; a killed owner's lock is
 * free again. With the `socket-file` kind, `path` is a directory (made when missing) that holds the
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
  const address = kind === 'abstract-socket' ? `\0bgsession-${hash}` : `\\\\.\\pipe\\bgsession-${hash}`;
  try {
    return await listenForLock(address);
  } catch (error) {
    if (errnoCodeOf(error) === 'EADDRINUSE') {
      throw new BgSessionError('SessionInUse', `${path} is locked by a live owner.`, { path, cause: error });
    }
    throw fileSystemError(error, 'take the lock of', path);
  }
}
