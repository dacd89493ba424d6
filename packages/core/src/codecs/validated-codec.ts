import * as t from 'io-ts';

/**
 * `codec` narrowed by `predicate`, keeping the decoded type (the model types use plain numbers
 * and strings, so a brand would break the codec/model equality check). `name` says what is
 * expected, in words, for error messages: `expected a non-negative safe integer, got -1`.
 *
 * @example
 * ```ts
 * const even = validated(t.number, (n) => n % 2 === 0, 'an even number');
 * ```
 */
export function validated<A, O>(
  codec: t.Type<A, O, unknown>,
  predicate: (value: A) => boolean,
  name: string,
): t.Type<A, O, unknown> {
  return new t.Type<A, O, unknown>(
    name,
    (u): u is A => codec.is(u) && predicate(u),
    (u, c) => {
      const result = codec.validate(u, c);
      if (result._tag === 'Left') return t.failure(u, c);
      return predicate(result.right) ? result : t.failure(u, c);
    },
    codec.encode,
  );
}

/**
 * A codec checked as a whole after its parts decode (cross-field rules). A failure is reported at
 * `path` inside the value, with `message`.
 *
 * @example
 * ```ts
 * const range = checked(exactType({ min: t.number, max: t.number }, 'Range'), (r) => r.min <= r.max, 'max', 'must be at least min');
 * ```
 */
export function checked<A, O>(
  codec: t.Type<A, O, unknown>,
  predicate: (value: A) => boolean,
  path: readonly string[],
  message: string,
): t.Type<A, O, unknown> {
  return new t.Type<A, O, unknown>(
    codec.name,
    (u): u is A => codec.is(u) && predicate(u),
    (u, c) => {
      const result = codec.validate(u, c);
      if (result._tag === 'Left' || predicate(result.right)) return result;
      let context = c;
      for (const key of path) context = t.appendContext(context, key, t.unknown, undefined);
      return t.failure(u, context, message);
    },
    codec.encode,
  );
}
