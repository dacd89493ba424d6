import fc from 'fast-check';

/**
 * Wall-clock instants in ms, from the epoch to the year 2100.
 *
 * @example
 * ```ts
 * fc.sample(instantArbitrary(), 1); // [1_712_345_678_901]
 * ```
 */
export function instantArbitrary(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 4_102_444_800_000 });
}

/**
 * Positive durations in ms, up to 30 days.
 *
 * @example
 * ```ts
 * fc.sample(durationArbitrary(), 1); // [60_000]
 * ```
 */
export function durationArbitrary(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: 30 * 24 * 60 * 60 * 1000 });
}

/**
 * Byte counts and offsets: mostly small, sometimes up to the largest safe integer.
 *
 * @example
 * ```ts
 * fc.sample(byteCountArbitrary(), 1); // [4096]
 * ```
 */
export function byteCountArbitrary(): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
}

/**
 * Store and byte-store keys: short, non-empty, plain characters.
 *
 * @example
 * ```ts
 * fc.sample(storeKeyArbitrary(), 1); // ['part-3f']
 * ```
 */
export function storeKeyArbitrary(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,23}$/);
}

/**
 * Free text as apps and servers write it: any code points, control characters included.
 *
 * @example
 * ```ts
 * fc.sample(textArbitrary(), 1); // ['d\u0007é']
 * ```
 */
export function textArbitrary(maxLength = 24): fc.Arbitrary<string> {
  return fc.string({ unit: 'binary', maxLength });
}

/**
 * `sha256-<base64>` integrity strings of random digests.
 *
 * @example
 * ```ts
 * fc.sample(integrityArbitrary(), 1); // ['sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=']
 * ```
 */
export function integrityArbitrary(): fc.Arbitrary<string> {
  return fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((digest) => `sha256-${btoa(String.fromCharCode(...digest))}`);
}

/**
 * Event ids: 32 lower-case hex digits.
 *
 * @example
 * ```ts
 * fc.sample(eventIdArbitrary(), 1); // ['0f3c...']
 * ```
 */
export function eventIdArbitrary(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[0-9a-f]{32}$/);
}
