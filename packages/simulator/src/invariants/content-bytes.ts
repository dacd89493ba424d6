import type { SimContent } from '../servers/sim-content.js';

/**
 * Whether `bytes` are exactly the content's bytes, compared in 1 MiB windows (a content may be far
 * larger than memory would hold twice).
 *
 * @example
 * ```ts
 * sameBytes(world.disk.readFile('/downloads/a.bin') ?? new Uint8Array(), content); // true when the file is the server's
 * ```
 */
export function sameBytes(bytes: Uint8Array, content: SimContent): boolean {
  return bytes.length === content.length && firstDifference(bytes, content) === -1;
}

/**
 * The first offset where `bytes` and `content` differ, -1 when none does, read in 1 MiB windows.
 *
 * @example
 * ```ts
 * firstDifference(bytes, content); // 1048580: the first byte that is not the server's
 * ```
 */
export function firstDifference(bytes: Uint8Array, content: SimContent): number {
  const window = 1024 * 1024;
  const length = Math.min(bytes.length, content.length);
  for (let offset = 0; offset < length; offset += window) {
    const expected = content.read(offset, Math.min(window, length - offset));
    const actual = bytes.subarray(offset, offset + expected.length);
    // Four bytes at a time where both are aligned (they are, but for odd views); the byte loop
    // then finds the exact offset within the first differing word.
    let index = 0;
    if (actual.byteOffset % 4 === 0 && expected.byteOffset % 4 === 0) {
      const words = expected.length >>> 2;
      const actualWords = new Uint32Array(actual.buffer, actual.byteOffset, words);
      const expectedWords = new Uint32Array(expected.buffer, expected.byteOffset, words);
      while (index < words && actualWords[index] === expectedWords[index]) index += 1;
      index *= 4;
    }
    for (; index < expected.length; index += 1) if (actual[index] !== expected[index]) return offset + index;
  }
  return bytes.length === content.length ? -1 : length;
}
