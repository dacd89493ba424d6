import { BgSessionError } from '@bgsession/core';
import type { ContentPattern } from './content-pattern.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';
import { mix32 } from './mix32.js';
import type { SimContent } from './sim-content.js';

/** Options of {@link generatedContent}. */
export interface GeneratedContentOptions {
  /** Picks the bytes; another seed is another version. */
  readonly seed: number;
  /** Length in bytes (a safe integer >= 0). */
  readonly length: number;
  /**
   * Build on a world's shared pattern: chunks can then be handed out as views, without a copy
   * (see {@link ContentPattern}). Without it each read returns fresh bytes.
   */
  readonly pattern?: ContentPattern;
}

/**
 * Without a shared pattern, bytes are a 4 KiB pseudo-random pattern of the seed, repeated, whose
 * first 8 bytes in every block are replaced by the block's index: a read is a few array copies,
 * not a hash per byte, and yet a splice at the wrong offset never goes unnoticed (a shift that is
 * not a whole number of blocks misaligns the pattern, one that is changes the index), nor does a
 * splice of another version (another pattern and index mask).
 */
const blockSize = 4096;
const stampSize = 8;

/**
 * Content of any length computed from a seed: nothing is allocated up front beyond a 4 KiB
 * pattern, and any range is read in O(range). `nextVersion()` is the content for another seed.
 * With `pattern`, the content is the shared pattern rotated by a seed-chosen offset: a shift is
 * noticed unless it is a multiple of the pattern's period, another version is another rotation,
 * and `view` serves chunks without copying.
 *
 * @example
 * ```ts
 * const file = generatedContent({ seed: 1, length: 64 * 1024 * 1024 });
 * const chunk = file.read(1_000_000, 65_536); // the same bytes every time
 * file.nextVersion().read(1_000_000, 65_536); // other bytes: the file changed
 * ```
 */
export function generatedContent(options: GeneratedContentOptions): SimContent {
  const { length, pattern } = options;
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new BgSessionError('InvalidArgument', `A generated content's length must be a safe integer >= 0, not ${length}.`, { field: 'length' });
  }
  const seed = options.seed >>> 0;
  const nextVersion = (): SimContent => generatedContent({ seed: mix32(seed + 0x9e3779b9), length, ...(pattern === undefined ? {} : { pattern }) });
  return pattern === undefined ? stampedContent(seed, length, nextVersion) : rotatedContent(seed, length, pattern, nextVersion);
}

function stampedContent(seed: number, length: number, nextVersion: () => SimContent): SimContent {
  const maskLow = mix32(seed ^ 0x5bd1e995);
  const maskHigh = mix32(seed ^ 0x1b873593) & 0xffff;
  let pattern: Uint8Array | null = null;
  const stamp = new Uint8Array(stampSize);

  function writeStamp(block: number): void {
    const low = (block >>> 0) ^ maskLow;
    const high = Math.floor(block / 0x1_0000_0000) ^ maskHigh;
    for (let i = 0; i < 4; i += 1) stamp[i] = (low >>> (8 * i)) & 0xff;
    for (let i = 0; i < 4; i += 1) stamp[4 + i] = (high >>> (8 * i)) & 0xff;
  }

  function read(offset: number, size: number): Uint8Array {
    const [start, end] = clampRange(offset, size, length);
    const out = new Uint8Array(end - start);
    pattern ??= fillPseudoRandom(new Uint8Array(blockSize), seed);
    const source = pattern;
    // The pattern goes in once per read and is doubled with copyWithin (a memmove), so a 1 MiB
    // read is a few large copies rather than 256 small ones; the stamps are written afterwards.
    const within = start % blockSize;
    const head = within === 0 ? 0 : Math.min(out.length, blockSize - within);
    if (head > 0) out.set(source.subarray(within, within + head), 0);
    const whole = Math.floor((out.length - head) / blockSize) * blockSize;
    if (whole > 0) {
      out.set(source, head);
      for (let filled = blockSize; filled < whole; filled *= 2) out.copyWithin(head + filled, head, head + Math.min(filled, whole - filled));
    }
    const tail = out.length - head - whole;
    if (tail > 0) out.set(source.subarray(0, tail), head + whole);
    for (let block = Math.floor(start / blockSize); block * blockSize < end; block += 1) {
      const at = block * blockSize - start;
      if (at + stampSize <= 0) continue;
      writeStamp(block);
      for (let k = Math.max(0, -at); k < stampSize && at + k < out.length; k += 1) out[at + k] = stamp[k] as number;
    }
    return out;
  }

  return { length, tag: `g${seed.toString(36)}-${length.toString(36)}`, read, nextVersion };
}

function rotatedContent(seed: number, length: number, pattern: ContentPattern, nextVersion: () => SimContent): SimContent {
  const { period, bytes } = pattern;
  const rotation = mix32(seed ^ 0xa5a5a5a5) % period;
  return {
    length,
    tag: `p${seed.toString(36)}-${length.toString(36)}`,
    nextVersion,
    read(offset, size) {
      const [start, end] = clampRange(offset, size, length);
      const out = new Uint8Array(end - start);
      for (let at = 0; at < out.length; ) {
        const from = (start + at + rotation) % period;
        const take = Math.min(period, out.length - at);
        out.set(bytes.subarray(from, from + take), at);
        at += take;
      }
      return out;
    },
    view(offset, size) {
      const [start, end] = clampRange(offset, size, length);
      if (end - start > period) return null;
      const from = (start + rotation) % period;
      return bytes.subarray(from, from + end - start);
    },
  };
}

function clampRange(offset: number, size: number, length: number): readonly [number, number] {
  const start = Math.min(Math.max(0, Math.floor(offset)), length);
  return [start, Math.min(length, start + Math.max(0, Math.floor(size)))];
}
