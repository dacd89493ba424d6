import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { exactType } from '../codecs/exact-codec.js';
import { nullable } from '../codecs/nullable-codec.js';
import { nonEmptyString, nonNegativeSafeInteger } from '../codecs/primitives.js';
import { versionedRecord } from '../codecs/versioned-record.js';
import type { FileByteStoreContext } from './file-byte-store-context.js';

/**
 * Where a key's bytes are going, written durably before they move, so a repeated hand-over (a host
 * that died between the move and recording it) answers the same place instead of failing.
 */
export interface HandOverMarker {
  /** Where the bytes go. */
  readonly location: string;
  /** Whether that is the store's own `finished/` area. */
  readonly inStore: boolean;
  /** The size of the bytes moved. */
  readonly size: number;
  /**
   * The file identity (device and inode) the bytes will have at the location: the part's for a
   * rename or link, the copy's for a copy across devices; null where the platform has none.
   */
  readonly identity: string | null;
}

const markerRecord = versionedRecord<HandOverMarker, unknown>({
  name: 'a hand-over marker',
  version: 1,
  codec: exactType(
    { location: nonEmptyString, inStore: t.boolean, size: nonNegativeSafeInteger, identity: nullable(t.string) },
    'HandOverMarker',
  ),
  legacy: [],
});

/** A marker is a few hundred bytes; anything much larger is not one. */
const maxMarkerBytes = 64 * 1024;

/**
 * Reads the hand-over marker of `key`, or null when there is none (without a call when the
 * context knows there is none). A marker that does not decode is treated as absent: it is written
 * to a temporary name, synced and renamed, so a damaged one was never followed by a move.
 *
 * @example
 * ```ts
 * const marker = await readHandOverMarker(context, 'part-1');
 * if (marker !== null) console.log(marker.location);
 * ```
 */
export async function readHandOverMarker(context: FileByteStoreContext, key: string): Promise<HandOverMarker | null> {
  if (!context.jsonMarkers.has(key)) return null;
  const { layout } = context;
  const path = layout.markerPath(key);
  const stat = await layout.fs.lstat(path);
  if (stat === null || stat.type !== 'file' || stat.size > maxMarkerBytes) return null;
  const handle = await layout.fs.open(path, { mode: 'r' });
  let bytes: Uint8Array;
  try {
    bytes = await handle.read(0, stat.size);
  } finally {
    await handle.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  const decoded = markerRecord.decode(raw, `handovers/${key}`);
  return E.isRight(decoded) ? decoded.right : null;
}

/**
 * Writes the hand-over marker of `key` durably: to a temporary name, synced, renamed into place,
 * and the directory synced, so it is either the old marker or the new one after any crash.
 *
 * @example
 * ```ts
 * await writeHandOverMarker(context, 'part-1', { location: '/dl/a.bin', inStore: false, size: 3, identity: null });
 * ```
 */
export async function writeHandOverMarker(context: FileByteStoreContext, key: string, marker: HandOverMarker): Promise<void> {
  const { layout } = context;
  const { fs } = layout;
  context.jsonMarkers.add(key);
  const path = layout.markerPath(key);
  const temporary = `${path}.tmp`;
  const handle = await fs.open(temporary, { mode: 'rw', create: true });
  try {
    await handle.truncate(0);
    await handle.write(new TextEncoder().encode(JSON.stringify(markerRecord.encode(marker))), 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, path);
  await context.syncDirectory(layout.handovers);
}

/**
 * Removes the hand-over marker of `key` if there is one, durably (a marker that came back after a
 * power loss would answer a reused key with an old location).
 *
 * @example
 * ```ts
 * await removeHandOverMarker(context, 'part-1');
 * ```
 */
export async function removeHandOverMarker(context: FileByteStoreContext, key: string): Promise<void> {
  if (!context.jsonMarkers.has(key)) return;
  const { layout } = context;
  const path = layout.markerPath(key);
  if ((await layout.fs.lstat(path)) !== null) {
    await layout.fs.unlink(path);
    await context.syncDirectory(layout.handovers);
  }
  context.jsonMarkers.delete(key);
}

/**
 * Removes the link marker of `key` (see `linkMarkerPath`) if there is one, without syncing: a link
 * marker that comes back after a power loss is a leftover the removal of orphans at open deletes,
 * and one found beside a new part is replaced when that part is handed over (`linkHandOver`).
 *
 * @example
 * ```ts
 * await removeLinkMarker(context, 'part-1');
 * ```
 */
export async function removeLinkMarker(context: FileByteStoreContext, key: string): Promise<void> {
  if (!context.linkMarkers.has(key)) return;
  const { fs } = context.layout;
  const path = context.layout.linkMarkerPath(key);
  try {
    await fs.unlink(path);
  } catch (error) {
    // Already gone (the port has no code for ENOENT): nothing to remove.
    if ((await fs.lstat(path)) !== null) throw error;
  }
  context.linkMarkers.delete(key);
}
