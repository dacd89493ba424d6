import { mix32 } from './mix32.js';

/**
 * Fills `bytes` with the pseudo-random sequence of `seed` (one `mix32` word per 4 bytes).
 *
 * @example
 * ```ts
 * const a = fillPseudoRandom(new Uint8Array(16), 7); // the same 16 bytes for seed 7, every time
 * ```
 */
export function fillPseudoRandom(bytes: Uint8Array, seed: number): Uint8Array {
  let state = seed >>> 0;
  for (let i = 0; i < bytes.length; i += 4) {
    state = (state + 0x6d2b79f5) >>> 0;
    const word = mix32(state);
    for (let k = 0; k < 4 && i + k < bytes.length; k += 1) bytes[i + k] = (word >>> (8 * k)) & 0xff;
  }
  return bytes;
}
