import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import type { FileStat } from '../ports/file-system.js';
import type { FileByteStoreContext } from './file-byte-store-context.js';
import { removeHandOverMarker } from './file-byte-store-marker.js';
import { removeIfPresent, temporaryPath } from './file-byte-store-move.js';

/** A hand-over to one fixed place (`ifExists` 'fail' or 'replace', or the store's own area). */
export interface LinkRequest {
  readonly key: string;
  /** The part file. */
  readonly from: string;
  /**
   * What `lstat` said of the part (its identity is not null); null when it was not looked at: then
   * only the link is tried, and anything in its way answers 'fallback'.
   */
  readonly fromStat: FileStat | null;
  readonly to: string;
  /** The directory holding `to`. */
  readonly directory: string;
  /** Never replace a file at `to` ('fail'), or replace it. */
  readonly exclusive: boolean;
}

/**
 * The hand-over of a part to a fixed place by a hard link, which needs no marker file: the bytes
 * appear at `to` by `link` (or, to replace a file, `link` to a temporary name and `rename` over
 * it), the destination directory is synced, and only then is the part renamed to its link marker
 * (`handovers/<key>.link`, a second name of the delivered file, unsynced). Until that rename the
 * part and the location are one file, so a repeated hand-over sees that they share an identity and
 * finishes; after it, the link marker says the bytes went to the one place the request names.
 * Three namespace calls and one directory sync, against a marker written, synced and renamed, a
 * rename and three directory syncs.
 *
 * Resolves 'fallback' when links cannot do it (a file system without hard links, another device,
 * a missing directory): the caller then moves the part with a marker, as before. 'exists' when
 * `exclusive` and `to` is taken by another file (nothing moved).
 *
 * @example
 * ```ts
 * const outcome = await linkHandOver(context, { key, from, fromStat, to, directory, exclusive: true });
 * ```
 */
export async function linkHandOver(context: FileByteStoreContext, request: LinkRequest): Promise<'moved' | 'exists' | 'fallback'> {
  const { layout } = context;
  const { fs } = layout;
  const { key, from, fromStat, to, directory, exclusive } = request;
  let probed = false;
  if (!context.jsonMarkers.has(key)) {
    // The usual case, nothing at the destination: one link, no lstat before it. Something there
    // (an earlier link of this very part, a file, a directory) makes it fail, and is looked at.
    layout.probe?.pass('completion-rename');
    probed = true;
    const linked = await linkIfFree(context, from, to);
    if (linked === 'fallback') return 'fallback';
    if (linked === 'linked') {
      await context.syncDirectory(directory);
      await retirePart(context, request);
      return 'moved';
    }
  }
  // Not looked at yet: the caller looks, then comes back with what it saw.
  if (fromStat === null) return 'fallback';
  const existing = await fs.lstat(to);
  if (existing?.type === 'file' && existing.identity === fromStat.identity) {
    // Linked by a host that died before retiring the part: the link may not be durable yet.
    await context.syncDirectory(directory);
    await retirePart(context, request);
    return 'moved';
  }
  // A directory in the way is named as one, whatever ifExists says: it is never replaced.
  if (existing?.type === 'directory') {
    throw new BgSessionError('DestinationExists', `A directory is at ${to}; it cannot be replaced by a file.`, { path: to });
  }
  if (existing !== null && exclusive) return 'exists';
  // A marker of an earlier move of this key names another place: it must not outlive this one.
  await removeHandOverMarker(context, key);
  const temporary = existing === null ? null : temporaryPath(layout, key, fromStat, to);
  if (!probed) layout.probe?.pass('completion-rename');
  try {
    if (temporary === null) {
      await fs.link(from, to);
    } else {
      await removeIfPresent(layout, temporary);
      await fs.link(from, temporary);
      await fs.rename(temporary, to);
    }
  } catch (error) {
    if (temporary !== null) await removeIfPresent(layout, temporary).catch(() => undefined);
    if (isBgSessionError(error, 'DestinationExists')) {
      // Taken between the check and the link: 'fail' says so; 'replace' goes the way that replaces.
      return exclusive ? 'exists' : 'fallback';
    }
    // No hard links here (PermissionDenied), another device or no such directory (StoreFailed).
    if (isBgSessionError(error, 'PermissionDenied') || isBgSessionError(error, 'StoreFailed')) return 'fallback';
    throw error;
  }
  await context.syncDirectory(directory);
  await retirePart(context, request);
  return 'moved';
}

/**
 * Whether a key whose part is gone was handed over by {@link linkHandOver} (its link marker is
 * there), so a repeated hand-over answers the place its request names.
 */
export async function linkHandedOver(context: FileByteStoreContext, key: string): Promise<boolean> {
  if (!context.linkMarkers.has(key)) return false;
  return (await context.layout.fs.lstat(context.layout.linkMarkerPath(key)))?.type === 'file';
}

/**
 * Links `from` at `to`: 'taken' when something is at `to` already; 'fallback' where links cannot
 * do it (no hard links, another device, no such directory), as `linkHandOver` then answers.
 */
async function linkIfFree(context: FileByteStoreContext, from: string, to: string): Promise<'linked' | 'taken' | 'fallback'> {
  try {
    await context.layout.fs.link(from, to);
    return 'linked';
  } catch (error) {
    if (isBgSessionError(error, 'DestinationExists')) return 'taken';
    if (isBgSessionError(error, 'PermissionDenied') || isBgSessionError(error, 'StoreFailed')) return 'fallback';
    throw error;
  }
}

/**
 * Takes the part's name away (the key then holds no bytes) by renaming it to the link marker. Not
 * synced: if a power loss undoes it, the part is back beside its location, one file with it, and
 * a repeated hand-over finishes again; after the task is gone, it is an orphan removed at open.
 */
async function retirePart(context: FileByteStoreContext, request: LinkRequest): Promise<void> {
  const { fs } = context.layout;
  const marker = context.layout.linkMarkerPath(request.key);
  context.linked = true;
  if (context.linkMarkers.has(request.key) && (await fs.lstat(marker))?.identity === request.fromStat?.identity) {
    // A rename between two names of one file changes nothing: the part would stay.
    await fs.unlink(request.from);
    return;
  }
  context.linkMarkers.add(request.key);
  await fs.rename(request.from, marker);
}
