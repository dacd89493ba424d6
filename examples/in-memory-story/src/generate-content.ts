/**
 * Generates `size` bytes that look random and are the same on every run (xorshift32 from `seed`), so
 * the demo's file, its hash and its output never change.
 *
 * @example
 * ```ts
 * const content = generateContent(2 * 1024 * 1024, 2024);
 * content.length; // 2097152
 * ```
 */
export function generateContent(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    for (let k = 0; k < 4 && i + k < size; k += 1) bytes[i + k] = (state >>> (8 * k)) & 0xff;
  }
  return bytes;
}
