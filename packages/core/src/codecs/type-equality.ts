/**
 * Whether `A` and `B` are mutually assignable. Used at compile time to pin each codec's decoded
 * type to its model type, so the two cannot drift: a field added to the model without its codec
 * (or the other way round) fails the type check.
 *
 * @example
 * ```ts
 * type _Pinned = Assert<Equals<t.TypeOf<typeof checkpointCodec>, Checkpoint>>;
 * ```
 */
export type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Compiles only when given `true`: `Assert<Equals<X, Y>>` is a compile-time test.
 *
 * @example
 * ```ts
 * type _Ok = Assert<Equals<{ a: number }, { readonly a: number }>>;
 * ```
 */
export type Assert<T extends true> = T;
