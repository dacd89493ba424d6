/** The generator's block: content is made one block at a time, so no run holds the whole file. */
const blockSize = 256 * 1024;

/** Block `index` of the content: xorshift32 words from a seed derived from the index (random access for Range). */
function contentBlock(index: number): Uint8Array {
  const words = new Uint32Array(blockSize / 4);
  let state = Math.imul(index + 1, 0x9e3779b1) >>> 0 || 1;
  for (let word = 0; word < words.length; word += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[word] = state >>> 0;
  }
  return new Uint8Array(words.buffer);
}

/**
 * The bytes `[start, end)` of the example's generated file, as chunks of at most one block. The
 * content is the same on every run and every host (the words are written in the platform's byte
 * order, little-endian everywhere Node runs in practice), and any offset can be produced without
 * the bytes before it: a `Range` request costs no more than a fresh one.
 *
 * @example
 * ```ts
 * for (const chunk of contentChunks(1024, 4096)) socket.write(chunk);
 * ```
 */
export function* contentChunks(start: number, end: number): Generator<Uint8Array> {
  let offset = start;
  while (offset < end) {
    const index = Math.floor(offset / blockSize);
    const blockStart = index * blockSize;
    const block = contentBlock(index);
    const chunk = block.subarray(offset - blockStart, Math.min(blockSize, end - blockStart));
    yield chunk;
    offset += chunk.length;
  }
}
