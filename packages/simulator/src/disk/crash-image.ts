import type { FilePiece } from './disk-tree.js';
import type { GrowableBytes } from './growable-bytes.js';

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

/** The size of the unit a power loss keeps, drops or garbles, as SQLite's crash model assumes. */
export const sectorSize = 512;

/**
 * The bytes a file holds after a power loss: its durable bytes, then each unsynced piece in the
 * order it was made, each 512-byte sector of a write (aligned on the file's offsets) kept, dropped
 * or garbled by `fate`, each truncate kept or dropped. A kept sector past the end extends the file
 * with zeros in between, as a file system that allocated the later block first would.
 *
 * @example
 * ```ts
 * const image = crashImage(durable, pending, '/sessions/journal', () => 'drop');
 * image.view(); // the durable bytes, unchanged
 * ```
 */
export function crashImage(
  durable: GrowableBytes,
  pending: readonly FilePiece[],
  path: string,
  fate: (piece: CrashPiece) => SectorFate,
  garbage: (length: number) => Uint8Array,
): GrowableBytes {
  const image = durable.clone();
  for (const piece of pending) {
    if (piece.type === 'truncate') {
      if (fate({ path, type: 'truncate', position: piece.length, length: 0 }) !== 'drop') image.truncate(piece.length);
      continue;
    }
    const end = piece.position + piece.bytes.length;
    for (let from = piece.position; from < end; ) {
      const to = Math.min(end, (Math.floor(from / sectorSize) + 1) * sectorSize);
      const what = fate({ path, type: 'write', position: from, length: to - from });
      if (what === 'keep') image.write(piece.bytes.subarray(from - piece.position, to - piece.position), from);
      else if (what === 'garble') image.write(garbage(to - from), from);
      from = to;
    }
  }
  return image;
}

/**
 * Writes every piece of `pending` to `target` in order: what a datasync that succeeds does to a
 * file's durable bytes.
 *
 * @example
 * ```ts
 * applyPieces(file.durable, file.pending);
 * file.pending = [];
 * ```
 */
export function applyPieces(target: GrowableBytes, pending: readonly FilePiece[]): void {
  for (const piece of pending) {
    if (piece.type === 'truncate') target.truncate(piece.length);
    else target.write(piece.bytes, piece.position);
  }
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
