import * as t from 'io-ts';
import { hasOwn, isPlainObject } from './plain-object.js';

type Flatten<T> = { [K in keyof T]: T[K] };

/** The decoded type of an exact shape: `required` keys always present, `optional` ones maybe. */
export type ExactTypeOf<P extends t.Props, Q extends t.Props> = Flatten<
  { readonly [K in keyof P]: t.TypeOf<P[K]> } & { readonly [K in keyof Q]?: t.TypeOf<Q[K]> }
>;

/** The encoded type of an exact shape. */
export type ExactOutputOf<P extends t.Props, Q extends t.Props> = Flatten<
  { readonly [K in keyof P]: t.OutputOf<P[K]> } & { readonly [K in keyof Q]?: t.OutputOf<Q[K]> }
>;

/** A codec for an object with exactly the given keys. */
export interface ExactCodec<P extends t.Props, Q extends t.Props>
  extends t.Type<ExactTypeOf<P, Q>, ExactOutputOf<P, Q>, unknown> {
  readonly required: P;
  readonly optional: Q;
}

/** No keys: the `optional` of `exactType`, the `required` of `exactPartial`. */
export type NoProps = Record<never, never>;

function validateShape<P extends t.Props, Q extends t.Props>(
  required: P,
  optional: Q,
  u: unknown,
  c: t.Context,
): t.Validation<ExactTypeOf<P, Q>> {
  if (!isPlainObject(u)) return t.failure(u, c);
  // Unknown keys first, and only the first: a record with a million stray keys costs one error.
  for (const key of Object.keys(u)) {
    if (!hasOwn(required, key) && !hasOwn(optional, key)) {
      return t.failure(u[key], t.appendContext(c, key, t.never, u[key]), 'unknown key');
    }
  }
  const errors: t.ValidationError[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(required)) {
    const codec = required[key] as t.Mixed;
    const value = hasOwn(u, key) ? u[key] : undefined;
    const result = codec.validate(value, t.appendContext(c, key, codec, value));
    if (result._tag === 'Left') errors.push(...result.left);
    else out[key] = result.right;
  }
  for (const key of Object.keys(optional)) {
    // An explicit `undefined` means "not given", as JavaScript callers write it; it never reaches
    // the decoded value (exactOptionalPropertyTypes).
    const value = hasOwn(u, key) ? u[key] : undefined;
    if (value === undefined) continue;
    const codec = optional[key] as t.Mixed;
    const result = codec.validate(value, t.appendContext(c, key, codec, value));
    if (result._tag === 'Left') errors.push(...result.left);
    else out[key] = result.right;
  }
  return errors.length > 0 ? t.failures(errors) : t.success(out as ExactTypeOf<P, Q>);
}

// Encoding writes only the declared keys: a value carrying stray runtime fields must never be
// stored, since the exact decoder would reject (quarantine) it at the next open.
// The fields as [key, codec] pairs, listed once per codec: every commit encodes a task record.
type Fields = ReadonlyArray<readonly [string, t.Mixed]>;

function encodeShape<P extends t.Props, Q extends t.Props>(required: Fields, optional: Fields, a: ExactTypeOf<P, Q>): ExactOutputOf<P, Q> {
  const source = a as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [key, codec] of required) out[key] = codec.encode(source[key]);
  for (const [key, codec] of optional) {
    const value = source[key];
    if (value !== undefined) out[key] = codec.encode(value);
  }
  return out as ExactOutputOf<P, Q>;
}

/**
 * An object codec that rejects unknown keys, naming the first one (io-ts's `t.exact` / `t.strict`
 * drop them silently). `required` keys must be present; `optional` keys may be missing or
 * `undefined` (both decode to an absent key). Nested objects are exact when their codecs are.
 *
 * @example
 * ```ts
 * const point = exactShape({ x: t.number }, { label: t.string }, 'Point');
 * point.decode({ x: 1, y: 2 }); // Left: path 'y', 'unknown key'
 * ```
 */
export function exactShape<P extends t.Props, Q extends t.Props>(required: P, optional: Q, name: string): ExactCodec<P, Q> {
  const requiredFields: Fields = Object.entries(required);
  const optionalFields: Fields = Object.entries(optional);
  const codec: t.Type<ExactTypeOf<P, Q>, ExactOutputOf<P, Q>, unknown> = new t.Type(
    name,
    (u): u is ExactTypeOf<P, Q> => validateShape(required, optional, u, [{ key: '', type: codec, actual: u }])._tag === 'Right',
    (u, c) => validateShape(required, optional, u, c),
    (a) => encodeShape<P, Q>(requiredFields, optionalFields, a),
  );
  return Object.assign(codec, { required, optional });
}

/**
 * An exact object codec with every key required.
 *
 * @example
 * ```ts
 * const point = exactType({ x: t.number, y: t.number }, 'Point');
 * point.decode({ x: 1, y: 2, z: 3 }); // Left: path 'z', 'unknown key'
 * ```
 */
export function exactType<P extends t.Props>(props: P, name: string): ExactCodec<P, NoProps> {
  return exactShape(props, {}, name);
}

/**
 * An exact object codec with every key optional.
 *
 * @example
 * ```ts
 * const patch = exactPartial({ x: t.number }, 'PointPatch');
 * patch.decode({}); // Right({})
 * patch.decode({ w: 1 }); // Left: path 'w', 'unknown key'
 * ```
 */
export function exactPartial<Q extends t.Props>(props: Q, name: string): ExactCodec<NoProps, Q> {
  return exactShape({}, props, name);
}
