import { lstat, mkdir, rmdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BgSessionError, type FileLock } from '@bgsession/core';
import { errnoCodeOf, fileSystemError } from './file-system-error.js';
import { listenForLock } from './listen-for-lock.js';

/**
 * Unix socket paths are cut at about 104 bytes (macOS; 108 on Linux), and Node 20 truncates a
 * longer one silently, which would name another socket. Past this length the socket goes to the
 * temporary directory under the lock's hash instead.
 */
const maxSocketPathBytes = 103;
/** A recovery takes milliseconds; a guard older than this was left by an owner that died in it. */
const staleGuardMs = 10_000;
/** How long a probe waits for a connection before calling the owner alive. */
const probeTimeoutMs = 2_000;
/** Bounds the wait for another process's recovery (at 10 ms a round, about 3 s). */
const maxRounds = 300;

/**
 * Takes the lock for `directory` where no abstract socket namespace exists (macOS, the BSDs): a
 * listening socket file `<directory>/.lock.sock`. The file outlives an owner that was killed, so a
 * taker that finds it connects first: a connection means a live owner (`SessionInUse`); ECONNREFUSED
 * means a stale file, which is unlinked and listened on again. Two takers that both see a stale file
 * could otherwise both unlink and listen, the second one deleting the first one's fresh socket, so
 * recovery happens behind an atomic `mkdir` of `<directory>/.lock.d` and probes again inside it.
 * Makes `directory` (mode 0700) when missing.
 *
 * @example
 * ```ts
 * const { hash } = await lockNameFor('/Users/me/sessions/app');
 * const lock = await takeSocketFileLock('/Users/me/sessions/app', hash);
 * await lock.release();
 * ```
 */
export async function takeSocketFileLock(directory: string, hash: string): Promise<FileLock> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileSystemError(error, 'make the lock directory', directory);
  }
  const inDirectory = join(directory, '.lock.sock');
  const socketPath =
    Buffer.byteLength(inDirectory) <= maxSocketPathBytes ? inDirectory : join(tmpdir(), `bgsession-${hash}.sock`);
  const guard = join(directory, '.lock.d');
  const inUse = (): BgSessionError =>
    new BgSessionError('SessionInUse', `${directory} is locked by a live owner.`, { path: directory });

  for (let round = 0; round < maxRounds; round += 1) {
    const first = await tryListen(socketPath);
    if (first !== 'taken') return first;
    if (await ownerIsAlive(socketPath)) throw inUse();
    if (!(await takeGuard(guard))) {
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
      const second = await tryListen(socketPath);
      if (second !== 'taken') return second;
    } finally {
      await rmdir(guard).catch(() => undefined);
    }
  }
  throw inUse();
}

async function tryListen(socketPath: string): Promise<FileLock | 'taken'> {
  try {
    return await listenForLock(socketPath);
  } catch (error) {
    if (errnoCodeOf(error) === 'EADDRINUSE') return 'taken';
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

/** Takes the recovery guard; false while another taker holds it. Clears a guard its owner left. */
async function takeGuard(guard: string): Promise<boolean> {
  try {
    await mkdir(guard, { mode: 0o700 });
    return true;
  } catch (error) {
    if (errnoCodeOf(error) !== 'EEXIST') throw fileSystemError(error, 'take the lock guard', guard);
  }
  const stat = await lstat(guard).catch(() => null);
  if (stat !== null && Date.now() - stat.mtimeMs > staleGuardMs) await rmdir(guard).catch(() => undefined);
  return false;
}
