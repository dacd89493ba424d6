/** How body chunks are cut: per timer, not per byte. */
export interface ChunkLimits {
  /** The largest chunk delivered at once (default 1 MiB). */
  readonly maxChunkBytes: number;
  /** The smallest chunk when the rate allows it within `maxChunkDelay` (default 64 KiB). */
  readonly minChunkBytes: number;
  /** A chunk aims at this much transfer time, ms (default 100). */
  readonly chunkInterval: number;
  /** No chunk takes longer than this unless one byte does, ms (default 1000): slow drips stay fine-grained. */
  readonly maxChunkDelay: number;
}

/** The default {@link ChunkLimits}. */
export const defaultChunkLimits: ChunkLimits = {
  maxChunkBytes: 1024 * 1024,
  minChunkBytes: 64 * 1024,
  chunkInterval: 100,
  maxChunkDelay: 1000,
};

/**
 * The next chunk's size and transfer time at `rate` bytes per second, with `remaining` bytes
 * left before the next event (end, cut, stall). An infinite rate takes no time; a rate of 0 or
 * less never delivers (null).
 *
 * @example
 * ```ts
 * nextChunk(10_000_000, 50_000_000, defaultChunkLimits); // { size: 1_000_000, delay: 100 }
 * nextChunk(1 / 59, 10, defaultChunkLimits); // { size: 1, delay: 59_000 }: one byte per 59 s
 * ```
 */
export function nextChunk(rate: number, remaining: number, limits: ChunkLimits): { readonly size: number; readonly delay: number } | null {
  if (remaining <= 0) return { size: 0, delay: 0 };
  if (!(rate > 0)) return null;
  if (rate === Number.POSITIVE_INFINITY) return { size: Math.min(remaining, limits.maxChunkBytes), delay: 0 };
  let size = Math.max(Math.floor((rate * limits.chunkInterval) / 1000), limits.minChunkBytes);
  size = Math.min(size, limits.maxChunkBytes, Math.floor((rate * limits.maxChunkDelay) / 1000), remaining);
  size = Math.max(1, size);
  return { size, delay: (size / rate) * 1000 };
}
