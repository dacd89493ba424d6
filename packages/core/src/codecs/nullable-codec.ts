import * as t from 'io-ts';

/**
 * `codec` or `null`. Unlike `t.union([codec, t.null])`, a wrong value reports only `codec`'s
 * errors, so the path points inside the value rather than at a union member index.
 *
 * @example
 * ```ts
 * nullable(t.string).decode(null); // Right(null)
 * ```
 */
export function nullable<C extends t.Mixed>(codec: C): t.Type<t.TypeOf<C> | null, t.OutputOf<C> | null, unknown> {
  return new t.Type<t.TypeOf<C> | null, t.OutputOf<C> | null, unknown>(
    `${codec.name} or null`,
    (u): u is t.TypeOf<C> | null => u === null || codec.is(u),
    (u, c) => (u === null ? t.success(null) : codec.validate(u, c)),
    (a) => (a === null ? null : (codec.encode(a) as t.OutputOf<C>)),
  );
}
