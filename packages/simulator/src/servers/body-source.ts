/**
 * The bytes of a response body, read lazily: a 64 MiB file costs nothing until its chunks are
 * sent, and only the chunks in flight exist at once.
 */
export interface BodySource {
  /** Exact length in bytes. */
  readonly length: number;
  /**
   * A fresh array with the bytes at `offset`..`offset + size` (cut at `length`). The caller may
   * keep or change it.
   */
  read(offset: number, size: number): Uint8Array;
  /**
   * The same bytes as `read` without a copy, when the source can (a content on a world's shared
   * `ContentPattern`): a view into bytes shared by the whole world that nobody may write.
   * Returns null when it cannot for this range.
   */
  view?(offset: number, size: number): Uint8Array | null;
}
