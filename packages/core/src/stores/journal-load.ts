import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import type { JournalPaths } from './journal-compaction.js';
import { replayJournal, type JournalReplay } from './journal-replay.js';

/** An open journal, read and repaired. */
export interface LoadedJournal {
  readonly handle: FileHandle;
  readonly replay: JournalReplay;
}

// Large journals are read in pieces: one read of hundreds of MiB is refused by some platforms.
// Large pieces, and a journal that fits in one is not copied: glibc serves a freed 16 MiB piece's
// successors from its own heap, which kept tens of MiB in the process's RSS for good (B5).
const readChunk = 64 * 1024 * 1024;

/**
 * Makes sure the session's directory exists (creating it, durably, when missing; its parent must
 * exist).
 *
 * @example
 * ```ts
 * await ensureDirectory(fs, '/var/lib/app/sessions/photos');
 * ```
 */
export async function ensureDirectory(fs: FileSystem, directory: string): Promise<void> {
  const stat = await fs.lstat(directory);
  if (stat === null) await fs.mkdir(directory);
  // Synced even when it was there: an owner killed between its mkdir and this sync left a name
  // that a power loss may still take, with every commit in it (found by #18 on the lossy disk).
  if (stat === null || stat.type === 'directory') {
    await fs.fsyncDir(fs.join(directory, '..'));
    return;
  }
  // A symbolic link to a directory is the app's choice, and is followed; anything else is refused.
  if (stat.type === 'file' || stat.type === 'other') {
    throw new BgSessionError('StoreFailed', `${directory} is not a directory.`, { path: directory });
  }
}

/**
 * Opens the journal (creating it when missing), reads it, cuts a torn tail so that appends start
 * after the last good frame, and syncs what is left. A compaction's leftover temporary file is
 * removed first. The caller holds the lock.
 *
 * @example
 * ```ts
 * const { handle, replay } = await loadJournal(fs, paths);
 * ```
 */
export async function loadJournal(fs: FileSystem, paths: JournalPaths): Promise<LoadedJournal> {
  if ((await fs.lstat(paths.temporary)) !== null) await fs.unlink(paths.temporary);
  const handle = await fs.open(paths.journal, { mode: 'rw', create: true });
  try {
    // The file's name must be durable before any commit in it is called durable.
    // Synced even when it existed: an owner killed before its sync (or between a compaction's
    // rename and its directory sync) left a name a power loss could still revert.
    await fs.fsyncDir(paths.directory);
    const bytes = await readAll(handle, await handle.size());
    const replay = replayJournal(bytes);
    if (replay.validLength < bytes.length) await handle.truncate(replay.validLength);
    // What was read may still be unsynced writes of an owner that was killed: they are in the
    // page cache, not on disk. Every frame appended from now on says everything before it is
    // durable, so make that true first; otherwise a power loss could keep a new frame and garble
    // an old one, and the reader would report corruption and apply the new frame over the hole.
    if (replay.newerVersion === null && bytes.length > 0) await handle.datasync();
    return { handle, replay };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

async function readAll(handle: FileHandle, size: number): Promise<Uint8Array> {
  if (size === 0) return new Uint8Array(0);
  const first = await handle.read(0, Math.min(readChunk, size));
  if (first.length >= size || first.length === 0) return first.length > size ? first.subarray(0, size) : first;
  const bytes = new Uint8Array(size);
  bytes.set(first);
  let offset = first.length;
  while (offset < size) {
    const chunk = await handle.read(offset, Math.min(readChunk, size - offset));
    if (chunk.length === 0) break;
    bytes.set(chunk.subarray(0, size - offset), offset);
    offset += chunk.length;
  }
  return offset < size ? bytes.subarray(0, offset) : bytes;
}
