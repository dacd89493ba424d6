import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { exactType } from '../codecs/exact-codec.js';
import { nullable } from '../codecs/nullable-codec.js';
import { nonEmptyString, nonNegativeSafeInteger } from '../codecs/primitives.js';
import { versionedRecord } from '../codecs/versioned-record.js';
import type { FileByteStoreLayout } from './file-byte-store-layout.js';

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
 * Reads the hand-over marker of `key`, or null when there is none. A marker that does not decode is
 * treated as absent: it is written to a temporary name, synced and renamed, so a damaged one was
 * never followed by a move.
 *
 * @example
 * ```ts
 * const marker = await readHandOverMarker(layout, 'part-1');
 * if (marker !== null) console.log(marker.location);
 * ```
 */
export async function readHandOverMarker(layout: FileByteStoreLayout, key: string): Promise<HandOverMarker | null> {
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
 * await writeHandOverMarker(layout, 'part-1', { location: '/dl/a.bin', inStore: false, size: 3, identity: null });
 * ```
 */
export async function writeHandOverMarker(layout: FileByteStoreLayout, key: string, marker: HandOverMarker): Promise<void> {
  const { fs } = layout;
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
  await fs.fsyncDir(layout.handovers);
}

/**
 * Removes the hand-over marker of `key` if there is one, durably (a marker that came back after a
 * power loss would answer a reused key with an old location).
 *
 * @example
 * ```ts
 * await removeHandOverMarker(layout, 'part-1');
 * ```
 */
export async function removeHandOverMarker(layout: FileByteStoreLayout, key: string): Promise<void> {
  const path = layout.markerPath(key);
  if ((await layout.fs.lstat(path)) === null) return;
  await layout.fs.unlink(path);
  await layout.fs.fsyncDir(layout.handovers);
}
