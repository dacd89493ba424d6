import { close, open } from 'node:fs';
import { lstat, mkdir, readlink, rmdir, symlink, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { BgSessionError, type FileLock } from '@bgsession/core';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';
import { listenForLock } from './listen-for-lock.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);

/**
 * Unix socket paths are cut at about 104 bytes (macOS; 108 on Linux), and Node 20 truncates a
 * longer one silently, which would name another socket. Past this length the socket goes to the
 * temporary directory under the lock's hash instead (or, with `throughProc`, stays in the directory).
 */
const maxSocketPathBytes = 103;
/** A recovery takes milliseconds; a guard older than this was left by an owner that died in it. */
const staleGuardMs = 10_000;
/** How long a probe waits for a connection before calling the owner alive. */
const probeTimeoutMs = 2_000;
/**
 * Bounds the wait for another process's recovery: past the age at which its guard counts as stale
 * (so a guard left by a taker that died in its recovery is cleared, not reported as a live owner),
 * and in rounds, whatever the clock does.
 */
const maxWaitMs = staleGuardMs + 2_000;
const maxRounds = 3_000;

/** How the Linux lock uses the socket-file lock (ADR 21); macOS and the BSDs give none. */
export interface SocketFileLockOptions {
  /**
   * Reach a directory whose socket path is too long through `/proc/self/fd/<fd>/.lock.sock`, so the
   * socket stays in the directory where every process that sees the directory finds it (the
   * temporary directory differs between containers). A descriptor of the directory stays open
   * while the lock is held.
   */
  readonly throughProc?: boolean;
  /**
   * The caller holds, for as long as this call runs, an outer lock on this directory that every
   * taker naming the same scope takes first (Linux: the abstract socket, whose scope is the network
   * namespace). The recovery guard is then a symbolic link to the scope, and a guard naming the
   * caller's own scope was left by a taker that died in its recovery: it is cleared at once instead
   * of after 10 s.
   */
  readonly guardScope?: string;
  /**
   * Where the file system cannot hold a socket file (`bind` fails with ENOTSUP, EOPNOTSUPP, EPERM or
   * ENOSYS: FAT, some FUSE and network mounts), hold nothing instead of failing: the caller's outer
   * lock is then the whole lock.
   */
  readonly optional?: boolean;
}

/** What `bind` says where a file system cannot hold a socket file. */
const noSocketCodes: ReadonlySet<string> = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'ENOSYS']);

/**
 * Takes the lock for `directory` with a listening socket file `<directory>/.lock.sock` (macOS and
 * the BSDs, which have no abstract socket namespace; and Linux beside its abstract socket, ADR 21).
 * The file outlives an owner that was killed, so a taker that finds it connects first: a connection
 * means a live owner (`SessionInUse`); ECONNREFUSED means a stale file, which is unlinked and
 * listened on again. Two takers that both see a stale file could otherwise both unlink and listen,
 * the second one deleting the first one's fresh socket, so recovery happens behind an atomic guard
 * `<directory>/.lock.d` (a `mkdir`, or a symbolic link with `guardScope`) and probes again inside
 * it. Makes `directory` (mode 0700) when missing.
 *
 * @example
 * ```ts
 * const { hash } = await lockNameFor('/Users/me/sessions/app');
 * const lock = await takeSocketFileLock('/Users/me/sessions/app', hash);
 * await lock.release();
 * ```
 */
export async function takeSocketFileLock(directory: string, hash: string, options: SocketFileLockOptions = {}): Promise<FileLock> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileSystemError(error, 'make the lock directory', directory);
  }
  const inDirectory = join(directory, '.lock.sock');
  const long = Buffer.byteLength(inDirectory) > maxSocketPathBytes;
  const descriptor = long && options.throughProc === true ? await openForProc(directory) : undefined;
  const socketPath = !long
    ? inDirectory
    : descriptor === undefined
      ? join(tmpdir(), `bgsession-${hash}.sock`)
      : `/proc/self/fd/${descriptor}/.lock.sock`;
  const lock = await takeAt(socketPath, directory, options).catch(async (error: unknown) => {
    if (descriptor !== undefined) await closeAsync(descriptor).catch(() => undefined);
    throw error;
  });
  if (descriptor === undefined) return lock ?? { release: () => Promise.resolve() };
  if (lock !== null) return closingAfter(lock, descriptor);
  await closeAsync(descriptor).catch(() => undefined);
  return { release: () => Promise.resolve() };
}

/** The lock, or null when `options.optional` and the file system cannot hold a socket file. */
async function takeAt(socketPath: string, directory: string, options: SocketFileLockOptions): Promise<FileLock | null> {
  const scope = options.guardScope;
  const optional = options.optional === true;
  const guard = join(directory, '.lock.d');
  const inUse = (): BgSessionError =>
    new BgSessionError('SessionInUse', `${directory} is locked by a live owner: another session has it open, in this process or another; close that one first.`, { path: directory });

  const giveUpAt = Date.now() + maxWaitMs;
  for (let round = 0; round < maxRounds && Date.now() < giveUpAt; round += 1) {
    const first = await tryListen(socketPath, optional);
    if (first !== 'taken') return first;
    if (await ownerIsAlive(socketPath)) throw inUse();
    if (!(await takeGuard(guard, scope))) {
      await delay(10);
      continue;
    }
    try {
      if (await ownerIsAlive(socketPath)) throw inUse();
      await unlink(socketPath).catch((error: unknown) => {
        if (errnoCodeOf(error) !== 'ENOENT') throw fileSystemError(error, 'remove the stale lock', socketPath);
      });
      // 'taken' here: a taker that found no file listened between the unlink and now; the next
      // round's probe finds it alive.
      const second = await tryListen(socketPath, optional);
      if (second !== 'taken') return second;
    } finally {
      await removeGuard(guard, scope !== undefined);
    }
  }
  throw inUse();
}

/**
 * A descriptor of `directory` whose `/proc/self/fd` entry reaches it, or undefined where `/proc`
 * is not mounted (the socket then goes to the temporary directory, as elsewhere).
 */
async function openForProc(directory: string): Promise<number | undefined> {
  let descriptor: number;
  try {
    descriptor = await openAsync(directory, 'r');
  } catch (error) {
    throw fileSystemError(error, 'open the lock directory', directory);
  }
  if ((await lstat(`/proc/self/fd/${descriptor}`).catch(() => null)) !== null) return descriptor;
  await closeAsync(descriptor).catch(() => undefined);
  return undefined;
}

/**
 * `lock`, closing `descriptor` once it is released. Not before: closing the server unlinks its
 * path, which goes through the descriptor; a descriptor number reused by then would name another
 * directory.
 */
function closingAfter(lock: FileLock, descriptor: number): FileLock {
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= lock.release().finally(() => closeAsync(descriptor).catch(() => undefined));
      return released;
    },
  };
}

/** The lock; 'taken' while the path exists; null when `optional` and sockets cannot be made here. */
async function tryListen(socketPath: string, optional: boolean): Promise<FileLock | 'taken' | null> {
  try {
    return await listenForLock(socketPath);
  } catch (error) {
    const code = errnoCodeOf(error);
    if (code === 'EADDRINUSE') return 'taken';
    if (optional && code !== undefined && noSocketCodes.has(code)) return null;
    throw fileSystemError(error, 'listen on the lock', socketPath);
  }
}

/** Whether a process accepts connections on `socketPath`; when unsure (EACCES, a timeout), yes. */
function ownerIsAlive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const timer = setTimeout(() => settle(true), probeTimeoutMs);
    function settle(alive: boolean): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    }
    socket.once('connect', () => settle(true));
    socket.once('error', (error) => {
      const code = errnoCodeOf(error);
      settle(code !== 'ECONNREFUSED' && code !== 'ENOENT');
    });
  });
}

/**
 * Takes the recovery guard; false while another taker holds it. Clears a guard its maker left: one
 * naming `scope` at once (its maker held the caller's outer lock, which the caller holds now), any
 * other once it is older than any recovery.
 */
async function takeGuard(guard: string, scope: string | undefined): Promise<boolean> {
  try {
    await (scope === undefined ? mkdir(guard, { mode: 0o700 }) : symlink(scope, guard));
    return true;
  } catch (error) {
    if (errnoCodeOf(error) !== 'EEXIST') throw fileSystemError(error, 'take the lock guard', guard);
  }
  const stat = await lstat(guard).catch(() => null);
  if (stat === null) return false;
  const link = stat.isSymbolicLink();
  const leftInScope = scope !== undefined && link && (await readlink(guard).catch(() => null)) === scope;
  if (leftInScope || Date.now() - stat.mtimeMs > staleGuardMs) await removeGuard(guard, link);
  return false;
}

function removeGuard(guard: string, link: boolean): Promise<void> {
  return (link ? unlink(guard) : rmdir(guard)).catch(() => undefined);
}
