/**
 * A file's bytes with room to grow: appends double the buffer instead of copying the whole file
 * each time, so a simulated download of many chunks stays linear.
 */
export class GrowableBytes {
  #buffer: Uint8Array;
  #length: number;

  constructor(bytes: Uint8Array = new Uint8Array()) {
    this.#buffer = bytes.slice();
    this.#length = bytes.length;
  }

  /** The file's length (the buffer may be larger). */
  get length(): number {
    return this.#length;
  }

  /**
   * The bytes, without copying: valid until the next change.
   *
   * @example
   * ```ts
   * const bytes = new GrowableBytes();
   * bytes.write(new Uint8Array([1, 2]), 3);
   * bytes.view(); // Uint8Array [0, 0, 0, 1, 2]
   * ```
   */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** A copy of `[position, position + length)`, cut at the end. */
  read(position: number, length: number): Uint8Array {
    const end = Math.min(this.#length, position + length);
    return position >= end ? new Uint8Array() : this.#buffer.slice(position, end);
  }

  /** Writes `bytes` at `position`, filling any gap after the end with zeros. */
  write(bytes: Uint8Array, position: number): void {
    const end = position + bytes.length;
    if (end > this.#length) this.truncate(end);
    this.#buffer.set(bytes, position);
  }

  /** Sets the length, cutting or extending with zeros. */
  truncate(length: number): void {
    if (length > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(length, Math.min(this.#buffer.length * 2, this.#buffer.length + (64 << 20)), 64));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    } else if (length > this.#length) {
      // Bytes past the old end may hold what a cut left behind: a file grows with zeros.
      this.#buffer.fill(0, this.#length, length);
    }
    this.#length = length;
  }

  /** An independent copy, sized to fit. */
  clone(): GrowableBytes {
    return new GrowableBytes(this.view());
  }
}
