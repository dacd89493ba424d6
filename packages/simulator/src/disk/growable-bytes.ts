/** The first chunk's size; each next one doubles, up to `largest`. */
const first = 64;
/** How many chunks double before they stop growing (64 MiB each from then on). */
const doublings = 20;
const largest = first * 2 ** doublings;
const doubledEnd = first * (2 ** doublings - 1);

function chunkStart(index: number): number {
  return index <= doublings ? first * (2 ** index - 1) : doubledEnd + (index - doublings) * largest;
}

function chunkSize(index: number): number {
  return index < doublings ? first * 2 ** index : largest;
}

/** The chunk holding byte `position`. */
function chunkAt(position: number): number {
  if (position >= doubledEnd) return doublings + Math.floor((position - doubledEnd) / largest);
  let index = Math.floor(Math.log2(position / first + 1));
  // Rounding in log2 may land one off.
  while (index > 0 && chunkStart(index) > position) index -= 1;
  while (chunkStart(index + 1) <= position) index += 1;
  return index;
}

/**
 * A file's bytes with room to grow, in chunks that double in size: an append copies its bytes
 * once and never moves what is already there, so a simulated download of many chunks stays
 * linear. Bytes past the length may hold what a cut left behind; they are zeroed only when the
 * file grows over them without a write.
 */
export class GrowableBytes {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  /** Where bytes a write or cut may have left in the chunks end: past it they are still zero. */
  #dirty = 0;

  constructor(bytes: Uint8Array = new Uint8Array()) {
    this.write(bytes, 0);
  }

  /** The file's length (the chunks may hold more). */
  get length(): number {
    return this.#length;
  }

  /**
   * A copy of the whole file.
   *
   * @example
   * ```ts
   * const bytes = new GrowableBytes();
   * bytes.write(new Uint8Array([1, 2]), 3);
   * bytes.bytes(); // Uint8Array [0, 0, 0, 1, 2]
   * ```
   */
  bytes(): Uint8Array {
    return this.read(0, this.#length);
  }

  /** A copy of `[position, position + length)`, cut at the end. */
  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.#length, position + length);
    if (position >= end) return new Uint8Array();
    const out = new Uint8Array(end - position);
    this.#visit(position, end, (chunk, from, to, offset) => out.set(chunk.subarray(from, to), offset));
    return out;
  }

  /** Writes `bytes` at `position`, filling any gap after the end with zeros. */
  write(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    if (end > this.#length) {
      this.#reserve(end);
      // Only the gap needs zeros: the written range is about to be overwritten.
      if (position > this.#length) this.#zero(this.#length, position);
      this.#length = end;
    }
    this.#dirty = Math.max(this.#dirty, end);
    this.#visit(position, end, (chunk, from, to, offset) => chunk.set(bytes.subarray(offset, offset + to - from), from));
  }

  /** Sets the length, cutting or extending with zeros. */
  truncate(length: number): void {
    if (length > this.#length) {
      this.#reserve(length);
      this.#zero(this.#length, length);
    } else {
      this.#release(length);
    }
    this.#length = length;
  }

  /**
   * Cuts the bytes to `length` and returns what was cut, in pieces the caller owns: the chunks
   * past the cut are handed over whole rather than copied, so cutting a large file is cheap.
   */
  cut(length: number): Uint8Array[] {
    const old = this.#length;
    if (length >= old) return [];
    const index = chunkAt(length);
    const start = chunkStart(index);
    const pieces: Uint8Array[] = [];
    const straddled = this.#chunks[index] as Uint8Array;
    const inside = Math.min(old, start + straddled.length) - length;
    if (length === start) {
      pieces.push(straddled.subarray(0, inside));
    } else if (inside <= length - start) {
      pieces.push(straddled.slice(length - start, length - start + inside));
    } else {
      // Keep the smaller side: the cut part leaves with the old chunk, the kept part is copied.
      pieces.push(straddled.subarray(length - start, length - start + inside));
      const kept = new Uint8Array(straddled.length);
      kept.set(straddled.subarray(0, length - start));
      this.#chunks[index] = kept;
    }
    for (let next = index + 1; next < this.#chunks.length && chunkStart(next) < old; next += 1) {
      pieces.push((this.#chunks[next] as Uint8Array).subarray(0, Math.min(old - chunkStart(next), chunkSize(next))));
    }
    this.#chunks.length = length === start ? index : index + 1;
    this.#length = length;
    // A chunk cut in place keeps its old bytes past the cut.
    this.#dirty = this.#chunks[index] === straddled ? Math.min(this.#dirty, chunkStart(index + 1)) : length;
    return pieces;
  }

  /** An independent copy. */
  clone(): GrowableBytes {
    return new GrowableBytes(this.bytes());
  }

  /** Whether `other` holds the same bytes. */
  equals(other: GrowableBytes): boolean {
    if (other.#length !== this.#length) return false;
    const a = this.bytes();
    const b = other.bytes();
    for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Calls `each` for every chunk part of `[position, end)`, with its offset from `position`. */
  #visit(position: number, end: number, each: (chunk: Uint8Array, from: number, to: number, offset: number) => void): void {
    for (let index = chunkAt(position), at = position; at < end; index += 1) {
      const start = chunkStart(index);
      const to = Math.min(end - start, chunkSize(index));
      each(this.#chunks[index] as Uint8Array, at - start, to, at - position);
      at = start + to;
    }
  }

  #zero(from: number, to: number): void {
    const end = Math.min(to, this.#dirty);
    if (from < end) this.#visit(from, end, (chunk, start, stop) => chunk.fill(0, start, stop));
  }

  #reserve(length: number): void {
    while (chunkStart(this.#chunks.length) < length) this.#chunks.push(new Uint8Array(chunkSize(this.#chunks.length)));
  }

  /** Frees the chunks past `length`: a file cut short gives its memory back. */
  #release(length: number): void {
    const keep = length === 0 ? 0 : chunkAt(length - 1) + 1;
    if (keep < this.#chunks.length) this.#chunks.length = keep;
    this.#dirty = Math.min(this.#dirty, chunkStart(keep));
  }
}
