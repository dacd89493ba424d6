import { crashImage, rewind, syncChanges, type CrashPiece, type FileChange, type SectorFate } from './crash-image.js';
import { PieceBytes } from './piece-bytes.js';

/**
 * A file's bytes as the page cache and the platters hold them, kept once: the cache, the unsynced
 * changes made since the last datasync (each with only the bytes it overwrote or cut, so an append
 * costs one copy), and the durable bytes only when they are not the cache with those changes
 * undone (after a failed datasync dropped writes from the write-back). A power loss rebuilds the
 * durable bytes and its crash image from that, and only then.
 *
 * @example
 * ```ts
 * const content = new FileContent();
 * content.write(new TextEncoder().encode('hello'), 0);
 * content.sync(); // durable now
 * content.read(0, 5); // 'hello'
 * ```
 */
export class FileContent {
  #cache: PieceBytes;
  #changes: FileChange[] = [];
  /** Null while the durable bytes are the cache with every unsynced change undone. */
  #durable: PieceBytes | null = null;

  /** A file whose `bytes` are durable. */
  constructor(bytes?: Uint8Array) {
    this.#cache = new PieceBytes(bytes);
  }

  /** The length processes see. */
  get length(): number {
    return this.#cache.length;
  }

  /** A copy of the cache's bytes. */
  bytes(): Uint8Array {
    return this.#cache.bytes();
  }

  /** A copy of the cache's `[position, position + length)`, cut at the end. */
  read(position: number, length: number): Uint8Array {
    return this.#cache.read(position, length);
  }

  /** Writes to the cache, unsynced. */
  write(bytes: Uint8Array, position: number): void {
    const before = this.#cache.length;
    const overwritten = Math.min(position + bytes.length, before) - position;
    const undo = overwritten > 0 ? this.#cache.read(position, overwritten) : null;
    this.#cache.write(bytes, position);
    this.#changes.push({ type: 'write', position, length: bytes.length, before, undo });
  }

  /** Sets the cache's length, unsynced. */
  truncate(length: number): void {
    const before = this.#cache.length;
    let undo: Uint8Array[] | null = null;
    if (length < before) undo = this.#cache.cut(length);
    else this.#cache.truncate(length);
    this.#changes.push({ type: 'truncate', length, before, undo });
  }

  /** A datasync that succeeds: every unsynced change becomes durable. */
  sync(): void {
    if (this.#durable !== null) {
      syncChanges(this.#cache, this.#durable, this.#changes);
      if (this.#durable.equals(this.#cache)) this.#durable = null;
    }
    this.#changes = [];
  }

  /**
   * A datasync that fails: the unsynced changes leave the write-back without reaching the
   * platters. The cache still shows them; no later datasync saves them.
   */
  dropWriteBack(): void {
    if (this.#durable === null && this.#changes.length > 0) {
      const durable = this.#cache.clone();
      rewind(durable, this.#changes, () => false);
      this.#durable = durable;
    }
    this.#changes = [];
  }

  /**
   * A power loss: the durable bytes, then each unsynced change kept, dropped or garbled sector by
   * sector (see {@link crashImage}), become both the cache and the durable bytes.
   */
  crash(path: string, fate: (piece: CrashPiece) => SectorFate, garbage: (length: number) => Uint8Array): void {
    if (this.#changes.length > 0 || this.#durable !== null) {
      this.#cache = crashImage(this.#cache, this.#durable, this.#changes, path, fate, garbage);
    }
    this.#durable = null;
    this.#changes = [];
  }
}
