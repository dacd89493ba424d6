import { isShared } from './shared-bytes.js';

/** The most an owned tail buffer grows to; a larger append gets a piece of its own. */
const tailLimit = 1024 * 1024;
/** An owned tail's first size: small files (journals, markers) stay small. */
const firstTail = 256;
/** Zeros every gap and extension points into; pieces are never written in place, so one is enough. */
const zeros = new Uint8Array(tailLimit);

/**
 * A file's bytes as a list of pieces (a piece table). A piece is never written in place once it is
 * in the list: a write replaces the pieces it covers, so a piece can be shared by clones, by the
 * undo records of the crash model and by the world's content. Two things keep that cheap:
 *
 * - a write of a view into a shared buffer ({@link isShared}: a `ContentPattern`'s bytes) becomes a
 *   piece as it is, with no copy, so the partial files of a simulated day hold no bytes of their own;
 * - other appends are copied into an owned tail buffer that doubles up to 1 MiB, so a journal's many
 *   small appends make a few pieces, not one each.
 *
 * @example
 * ```ts
 * const bytes = new PieceBytes();
 * bytes.write(new Uint8Array([1, 2]), 3);
 * bytes.bytes(); // Uint8Array [0, 0, 0, 1, 2]
 * ```
 */
export class PieceBytes {
  #pieces: Uint8Array[] = [];
  /** Where each piece starts in the file. */
  #starts: number[] = [];
  #length = 0;
  /** The owned buffer the last piece is the front of, with room after it; null once sealed. */
  #tail: Uint8Array | null = null;

  /** A file holding a copy of `bytes` (or `bytes` itself when they are shared). */
  constructor(bytes: Uint8Array = new Uint8Array()) {
    this.write(bytes, 0);
  }

  /** The file's length. */
  get length(): number {
    return this.#length;
  }

  /** How many pieces the file is made of (for tests of its memory use). */
  get pieceCount(): number {
    return this.#pieces.length;
  }

  /** A copy of the whole file. */
  bytes(): Uint8Array {
    return this.read(0, this.#length);
  }

  /** A copy of `[position, position + length)`, cut at the end. */
  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.#length, position + length);
    if (position >= end) return new Uint8Array();
    const out = new Uint8Array(end - position);
    this.#visit(position, end, (piece, from, to, offset) => out.set(piece.subarray(from, to), offset));
    return out;
  }

  /** Writes `bytes` at `position`, filling any gap after the end with zeros. */
  write(bytes: Uint8Array, position: number): void {
    if (position > this.#length) this.#grow(position);
    if (bytes.length === 0) return;
    if (position === this.#length) this.#append(bytes);
    else this.#replace(bytes, position);
  }

  /** Sets the length, cutting or extending with zeros. */
  truncate(length: number): void {
    if (length > this.#length) this.#grow(length);
    else this.cut(length);
  }

  /**
   * Cuts the bytes to `length` and returns what was cut, as pieces the caller may keep (they are
   * never written again), so cutting a large file copies nothing.
   */
  cut(length: number): Uint8Array[] {
    if (length >= this.#length) return [];
    const first = this.#split(length);
    const removed = this.#pieces.splice(first);
    this.#starts.length = first;
    this.#length = length;
    this.#tail = null;
    return removed;
  }

  /** An independent copy; it shares the pieces, which nobody writes in place. */
  clone(): PieceBytes {
    const copy = new PieceBytes();
    copy.#pieces = this.#pieces.slice();
    copy.#starts = this.#starts.slice();
    copy.#length = this.#length;
    return copy;
  }

  /** Whether `other` holds the same bytes (pieces both share are not compared byte by byte). */
  equals(other: PieceBytes): boolean {
    if (other.#length !== this.#length) return false;
    let same = true;
    this.#visit(0, this.#length, (piece, from, to, offset) => {
      if (!same) return;
      other.#visit(offset, offset + to - from, (theirs, theirFrom, theirTo, at) => {
        if (!same) return;
        const mine = piece.subarray(from + at, from + at + theirTo - theirFrom);
        const their = theirs.subarray(theirFrom, theirTo);
        if (mine.buffer === their.buffer && mine.byteOffset === their.byteOffset) return;
        for (let i = 0; i < mine.length; i += 1) {
          if (mine[i] !== their[i]) {
            same = false;
            return;
          }
        }
      });
    });
    return same;
  }

  #append(bytes: Uint8Array): void {
    if (isShared(bytes)) {
      this.#push(bytes);
      this.#tail = null;
      return;
    }
    const tail = this.#tail;
    const last = this.#pieces.length - 1;
    const used = tail === null ? 0 : (this.#pieces[last] as Uint8Array).length;
    if (tail !== null && used + bytes.length <= tail.length) {
      tail.set(bytes, used);
      this.#pieces[last] = tail.subarray(0, used + bytes.length);
      this.#length += bytes.length;
      return;
    }
    if (bytes.length >= tailLimit) {
      this.#push(bytes.slice());
      this.#tail = null;
      return;
    }
    const fresh = new Uint8Array(Math.min(tailLimit, Math.max(bytes.length, tail === null ? firstTail : 2 * tail.length)));
    fresh.set(bytes);
    this.#push(fresh.subarray(0, bytes.length));
    this.#tail = fresh;
  }

  /** Writes over `[position, ...)` with `position` inside the file: the covered pieces make way for one. */
  #replace(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    const lastStart = this.#starts[this.#starts.length - 1] as number;
    const first = this.#split(position);
    const after = end >= this.#length ? this.#pieces.length : this.#split(end);
    this.#pieces.splice(first, after - first, isShared(bytes) ? bytes : bytes.slice());
    this.#length = Math.max(this.#length, end);
    this.#restart(first);
    // The owned tail stays the last piece unless the write reached it.
    if (end > lastStart) this.#tail = null;
  }

  /** Extends the file with zeros to `length`. */
  #grow(length: number): void {
    while (this.#length < length) this.#push(zeros.subarray(0, Math.min(zeros.length, length - this.#length)));
    this.#tail = null;
  }

  #push(piece: Uint8Array): void {
    this.#pieces.push(piece);
    this.#starts.push(this.#length);
    this.#length += piece.length;
  }

  /** Makes a piece start at `at` (inside the file or at its end) and returns that piece's index. */
  #split(at: number): number {
    if (at >= this.#length) return this.#pieces.length;
    const index = this.#pieceAt(at);
    const start = this.#starts[index] as number;
    if (start === at) return index;
    const piece = this.#pieces[index] as Uint8Array;
    this.#pieces.splice(index, 1, piece.subarray(0, at - start), piece.subarray(at - start));
    this.#starts.splice(index + 1, 0, at);
    // Splitting the last piece leaves the owned tail to the caller: both callers seal it then.
    return index + 1;
  }

  /** Recomputes the starts from piece `index` on. */
  #restart(index: number): void {
    this.#starts.length = this.#pieces.length;
    let at = index === 0 ? 0 : (this.#starts[index - 1] as number) + (this.#pieces[index - 1] as Uint8Array).length;
    for (let i = index; i < this.#pieces.length; i += 1) {
      this.#starts[i] = at;
      at += (this.#pieces[i] as Uint8Array).length;
    }
  }

  /** The piece holding byte `position` (inside the file). */
  #pieceAt(position: number): number {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.#starts[middle] as number) <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Calls `each` for every piece part of `[position, end)`, with its offset from `position`. */
  #visit(position: number, end: number, each: (piece: Uint8Array, from: number, to: number, offset: number) => void): void {
    if (position >= end) return;
    for (let index = this.#pieceAt(position), at = position; at < end; index += 1) {
      const start = this.#starts[index] as number;
      const piece = this.#pieces[index] as Uint8Array;
      const to = Math.min(end - start, piece.length);
      each(piece, at - start, to, at - position);
      at = start + to;
    }
  }
}
