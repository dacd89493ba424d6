import type { PieceBytes } from './piece-bytes.js';

/** What a power loss does to one unsynced sector of a write (a truncate is kept or dropped). */
export type SectorFate = 'keep' | 'drop' | 'garble';

/** One unsynced piece whose fate a power loss decides. */
export interface CrashPiece {
  /** The file's path (one of its names) after the power loss's directory changes. */
  readonly path: string;
  readonly type: 'write' | 'truncate';
  /** The byte offset of the sector, or the truncate's length. */
  readonly position: number;
  readonly length: number;
}

/**
 * An unsynced change of a file's bytes, in the order it was made, with what it replaced: the
 * length `before` it and the bytes it overwrote or cut (`undo`, null when it replaced none, as an
 * append does). Its own bytes are not kept: they are in the page cache, or come back by undoing
 * the later changes.
 */
export type FileChange =
  | { readonly type: 'write'; readonly position: number; readonly length: number; readonly before: number; readonly undo: Uint8Array | null }
  | { readonly type: 'truncate'; readonly length: number; readonly before: number; readonly undo: readonly Uint8Array[] | null };

/** The size of the unit a power loss keeps, drops or garbles, as SQLite's crash model assumes. */
export const sectorSize = 512;

interface SectorOutcome {
  readonly from: number;
  readonly to: number;
  readonly what: SectorFate;
  readonly garbage: Uint8Array | null;
}

/**
 * The bytes a file holds after a power loss: its durable bytes (`durable`, or the cache with
 * every change undone when null), then each unsynced change in the order it was made, each
 * 512-byte sector of a write (aligned on the file's offsets) kept, dropped or garbled by `fate`,
 * each truncate kept or dropped. A kept sector past the end extends the file with zeros in
 * between, as a file system that allocated the later block first would. The fates are drawn in
 * that order before any byte moves. Consumes `cache` and `durable`: either may be the result.
 *
 * @example
 * ```ts
 * const image = crashImage(cache, null, changes, '/sessions/journal', () => 'drop', garbage);
 * image.bytes(); // the durable bytes, unchanged
 * ```
 */
export function crashImage(
  cache: PieceBytes,
  durable: PieceBytes | null,
  changes: readonly FileChange[],
  path: string,
  fate: (piece: CrashPiece) => SectorFate,
  garbage: (length: number) => Uint8Array,
): PieceBytes {
  let everyByteKept = true;
  const outcomes = changes.map((change): boolean | SectorOutcome[] => {
    if (change.type === 'truncate') {
      const kept = fate({ path, type: 'truncate', position: change.length, length: 0 }) !== 'drop';
      everyByteKept &&= kept;
      return kept;
    }
    // An empty write past the end grew the cache, but has no sector to keep.
    if (change.length === 0 && change.position > change.before) everyByteKept = false;
    const sectors: SectorOutcome[] = [];
    const end = change.position + change.length;
    for (let from = change.position; from < end; ) {
      const to = Math.min(end, (Math.floor(from / sectorSize) + 1) * sectorSize);
      const what = fate({ path, type: 'write', position: from, length: to - from });
      sectors.push({ from, to, what, garbage: what === 'garble' ? garbage(to - from) : null });
      everyByteKept &&= what === 'keep';
      from = to;
    }
    return sectors;
  });
  if (everyByteKept && durable === null) return cache;
  const saved = rewind(cache, changes, (index) => {
    const outcome = outcomes[index];
    return typeof outcome !== 'boolean' && outcome !== undefined && outcome.some((sector) => sector.what === 'keep');
  });
  const image = durable ?? cache;
  changes.forEach((change, index) => {
    const outcome = outcomes[index] as boolean | SectorOutcome[];
    if (change.type === 'truncate') {
      if (outcome === true) image.truncate(change.length);
      return;
    }
    if (typeof outcome === 'boolean') return;
    const bytes = saved[index];
    for (const { from, to, what, garbage: noise } of outcome) {
      if (what === 'keep' && bytes !== undefined && bytes !== null) image.write(bytes.subarray(from - change.position, to - change.position), from);
      else if (noise !== null) image.write(noise, from);
    }
  });
  return image;
}

/**
 * Writes every change of the cache to `durable` in order: what a datasync that succeeds does when
 * the durable bytes are not the cache's (after a failed datasync dropped some from the
 * write-back). Leaves `cache` as it was.
 *
 * @example
 * ```ts
 * syncChanges(cache, durable, changes);
 * ```
 */
export function syncChanges(cache: PieceBytes, durable: PieceBytes, changes: readonly FileChange[]): void {
  const saved = rewind(cache.clone(), changes, () => true);
  changes.forEach((change, index) => {
    if (change.type === 'truncate') durable.truncate(change.length);
    else durable.write(saved[index] ?? new Uint8Array(), change.position);
  });
}

/**
 * Undoes every change of `work`, newest first, leaving it as it was before the oldest; returns
 * the bytes each change that `wanted` names had written, by index.
 *
 * @example
 * ```ts
 * const before = cache.clone();
 * rewind(before, changes, () => false); // before: the bytes the changes started from
 * ```
 */
export function rewind(work: PieceBytes, changes: readonly FileChange[], wanted: (index: number) => boolean): Array<Uint8Array | null> {
  const saved = new Array<Uint8Array | null>(changes.length).fill(null);
  for (let index = changes.length - 1; index >= 0; index -= 1) {
    const change = changes[index] as FileChange;
    if (change.type === 'write') {
      if (wanted(index)) saved[index] = work.read(change.position, change.length);
      if (change.undo !== null) work.write(change.undo, change.position);
      work.truncate(change.before);
    } else if (change.undo !== null) {
      let at = change.length;
      for (const piece of change.undo) {
        work.write(piece, at);
        at += piece.length;
      }
    } else {
      work.truncate(change.before);
    }
  }
  return saved;
}

/**
 * Pseudo-random bytes from one 32-bit seed (xorshift32): a garbled sector costs one draw of the
 * disk's Random, not one per byte.
 *
 * @example
 * ```ts
 * garbleBytes(512, 0x9e3779b9).length; // 512
 * ```
 */
export function garbleBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
