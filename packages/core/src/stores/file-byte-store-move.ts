import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import type { FileStat } from '../ports/file-system.js';
import type { FileByteStoreLayout } from './file-byte-store-layout.js';

/** One move of a key's part file to a location. */
export interface MoveRequest {
  readonly layout: FileByteStoreLayout;
  readonly key: string;
  /** The part file and what `lstat` said of it. */
  readonly from: string;
  readonly fromStat: FileStat;
  readonly to: string;
  /** Never replace a file at `to` ('fail', 'rename'), or replace it ('replace', in-store). */
  readonly exclusive: boolean;
  /**
   * Records durably that the bytes go to `to` and will have `identity` there; called before the
   * step that makes them appear at `to`.
   */
  record(identity: string | null): Promise<void>;
}

/** Copies across devices in chunks this big. */
const copyChunkBytes = 1024 * 1024;

/**
 * Moves the part file to `request.to`, atomically: the bytes are wholly under the key or wholly at
 * the location, never half at the location.
 *
 * - exclusive: `link(from, to)` (which fails when `to` exists, so nothing is ever overwritten, even
 *   by a file created after our check), then `unlink(from)`. A file system without hard links
 *   (FAT, some network shares: `PermissionDenied`) falls back to a check followed by a rename, the
 *   one case where a file created in between could be replaced.
 * - replacing: `rename(from, to)`.
 * - Anything else the file system refuses with `StoreFailed` (the port has no EXDEV code: a move
 *   across devices, a destination on another disk) is done by copying to a temporary file beside
 *   `to`, syncing it, and linking or renaming that into place; then the part is removed.
 *
 * Resolves 'exists' when an exclusive move found `to` taken (nothing moved). Both directories are
 * synced after the move, so it survives a power loss.
 *
 * @example
 * ```ts
 * const outcome = await moveIntoPlace({ layout, key, from, fromStat, to, exclusive: true, record });
 * if (outcome === 'exists') throw new BgSessionError('DestinationExists', `${to} exists.`, { path: to });
 * ```
 */
export async function moveIntoPlace(request: MoveRequest): Promise<'moved' | 'exists'> {
  const { layout, from, to, exclusive } = request;
  const { fs } = layout;
  const existing = await fs.lstat(to);
  if (exclusive && existing !== null) return 'exists';
  if (existing?.type === 'directory') {
    throw new BgSessionError('DestinationExists', `A directory is at ${to}; it cannot be replaced by a file.`, { path: to });
  }
  await request.record(request.fromStat.identity);
  layout.probe?.pass('completion-rename');
  let step: 'linked' | 'renamed' | 'exists';
  try {
    step = exclusive ? await linkOrRename(request, from) : await renamed(request, from);
  } catch (error) {
    if (!needsCopy(error)) throw error;
    return copyIntoPlace(request);
  }
  if (step === 'exists') return 'exists';
  // Outside the try: once the bytes are at `to`, a failure is reported, never answered by a copy.
  if (step === 'linked') await fs.unlink(from);
  await fs.fsyncDir(layout.parentOf(to));
  await fs.fsyncDir(layout.parentOf(from));
  return 'moved';
}

/**
 * Finishes a move a dead host left half done (the bytes are at `to`, the part or the temporary copy
 * still under its old name): removes those names and syncs both directories.
 *
 * @example
 * ```ts
 * if (await landed(layout, marker)) await completeMove(layout, key, from, fromStat, marker.location);
 * ```
 */
export async function completeMove(layout: FileByteStoreLayout, key: string, from: string, fromStat: FileStat, to: string): Promise<void> {
  const { fs } = layout;
  await removeIfPresent(layout, temporaryPath(layout, key, fromStat, to));
  await fs.fsyncDir(layout.parentOf(to));
  await removeIfPresent(layout, from);
  await fs.fsyncDir(layout.parentOf(from));
}

async function renamed(request: MoveRequest, source: string): Promise<'renamed'> {
  await request.layout.fs.rename(source, request.to);
  return 'renamed';
}

/**
 * `link(source, to)`, leaving `source` for the caller to unlink; on a file system without hard
 * links, a check and a rename.
 */
async function linkOrRename(request: MoveRequest, source: string): Promise<'linked' | 'renamed' | 'exists'> {
  const { fs } = request.layout;
  try {
    await fs.link(source, request.to);
    return 'linked';
  } catch (error) {
    if (isBgSessionError(error, 'DestinationExists')) return 'exists';
    if (!isBgSessionError(error, 'PermissionDenied')) throw error;
    // No hard links here (or no permission at all, which the rename then reports).
    if ((await fs.lstat(request.to)) !== null) return 'exists';
    await fs.rename(source, request.to);
    return 'renamed';
  }
}

async function copyIntoPlace(request: MoveRequest): Promise<'moved' | 'exists'> {
  const { layout, from, to, exclusive } = request;
  const { fs } = layout;
  const temporary = temporaryPath(layout, request.key, request.fromStat, to);
  let placed = false;
  try {
    await removeIfPresent(layout, temporary);
    await copyFile(layout, from, temporary);
    const copied = await fs.lstat(temporary);
    await request.record(copied?.identity ?? null);
    const step = exclusive ? await linkOrRename(request, temporary) : await renamed(request, temporary);
    if (step === 'exists') return 'exists';
    placed = true;
    if (step === 'linked') await fs.unlink(temporary);
    await fs.fsyncDir(layout.parentOf(to));
    await fs.unlink(from);
    await fs.fsyncDir(layout.parentOf(from));
    return 'moved';
  } finally {
    // A copy that did not make it into place is ours to remove; the app never sees it.
    if (!placed) await removeIfPresent(layout, temporary).catch(() => undefined);
  }
}

async function copyFile(layout: FileByteStoreLayout, from: string, to: string): Promise<void> {
  const { fs } = layout;
  const source = await fs.open(from, { mode: 'r' });
  try {
    const target = await fs.open(to, { mode: 'rw', create: true, exclusive: true });
    try {
      const size = await source.size();
      for (let position = 0; position < size; ) {
        const chunk = await source.read(position, Math.min(copyChunkBytes, size - position));
        if (chunk.length === 0) throw new BgSessionError('StoreFailed', `${from} shrank while it was copied.`, { path: from });
        await target.write(chunk, position);
        position += chunk.length;
      }
      await target.datasync();
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/**
 * The temporary name beside `to` (of a copy, or of a link that replaces `to`): hidden, and named
 * for the key and the part file's identity, so a retry after a crash finds its own leftover and
 * two sessions handing over keys of the same name into one directory never share one.
 *
 * @example
 * ```ts
 * temporaryPath(layout, 'part-1', fromStat, '/downloads/a.bin'); // '/downloads/.bgsession-part-1-2049-17.tmp'
 * ```
 */
export function temporaryPath(layout: FileByteStoreLayout, key: string, fromStat: FileStat, to: string): string {
  const tag = (fromStat.identity ?? 'x').toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 32);
  return layout.fs.join(layout.parentOf(to), `.bgsession-${key}-${tag}.tmp`);
}

/**
 * Removes the file or link at `path`, if there is one.
 *
 * @example
 * ```ts
 * await removeIfPresent(layout, '/downloads/.bgsession-part-1-x.tmp');
 * ```
 */
export async function removeIfPresent(layout: FileByteStoreLayout, path: string): Promise<void> {
  // lstat, not open: a link planted at the name is removed, never followed.
  if ((await layout.fs.lstat(path)) !== null) await layout.fs.unlink(path);
}

/** Whether a failed rename or link is one a copy can get around (EXDEV and its like). */
function needsCopy(error: unknown): boolean {
  return !isBgSessionError(error) || error.code === 'StoreFailed';
}
