import { BgSessionError } from '@bgsession/core';
import { shareBytes } from '../disk/shared-bytes.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';

/** Options of {@link createContentPattern}. */
export interface ContentPatternOptions {
  /** Picks the bytes (default 1). */
  readonly seed?: number;
  /**
   * The period in bytes (default 1 MiB + 4099): contents on the pattern repeat every `period`
   * bytes, and views are at most this long. Keep it above the network's largest chunk and odd, so
   * no power-of-two shift (a checkpoint size) is a multiple of it.
   */
  readonly period?: number;
}

/**
 * Pseudo-random bytes, twice over, shared by every content a world builds on it: one allocation
 * of about 2 MiB, after which any window of up to `period` bytes of any of those contents is a
 * view (`bytes.subarray`), no copy and no garbage. Nobody may write into `bytes`.
 */
export interface ContentPattern {
  readonly period: number;
  /** `2 * period` bytes: the period, then the same period again, so every window is contiguous. */
  readonly bytes: Uint8Array;
}

/**
 * Creates a {@link ContentPattern}. Make one per world and pass it to `generatedContent` for
 * contents whose chunks the simulated network can hand out without copying, which is what lets a
 * day of a thousand 64 MiB downloads run in seconds.
 *
 * @example
 * ```ts
 * const pattern = createContentPattern({ seed: 1 });
 * const file = generatedContent({ seed: 7, length: 64 * 1024 * 1024, pattern });
 * file.view?.(0, 65_536); // a view, no copy
 * ```
 */
export function createContentPattern(options: ContentPatternOptions = {}): ContentPattern {
  const period = options.period ?? 1024 * 1024 + 4099;
  if (!Number.isSafeInteger(period) || period < 64 || period > 256 * 1024 * 1024) {
    throw new BgSessionError('InvalidArgument', `A content pattern's period is an integer from 64 to 256 MiB, not ${period}.`, { field: 'period' });
  }
  const bytes = new Uint8Array(2 * period);
  fillPseudoRandom(bytes.subarray(0, period), options.seed ?? 1);
  bytes.copyWithin(period, 0, period);
  // Nobody writes them from here on, so the lossy disk keeps writes of them by reference.
  shareBytes(bytes);
  return { period, bytes };
}
