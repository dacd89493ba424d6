import * as t from 'io-ts';
import { isPlainObject } from './plain-object.js';

/**
 * A plain object whose keys pass `key` and whose values pass `value` (a header map). Unlike
 * `t.record`, a `Map`, a `Date` or an array is refused, and the decoded object is built with
 * `Object.fromEntries`, so an own `__proto__` key stays a key and never becomes a prototype.
 *
 * @example
 * ```ts
 * stringRecord(t.string, t.string, 'HeaderMap').decode({ accept: '*\/*' }); // Right
 * ```
 */
export function stringRecord<V>(
  key: t.Type<string, string, unknown>,
  value: t.Type<V, V, unknown>,
  name: string,
): t.Type<Readonly<Record<string, V>>, Readonly<Record<string, V>>, unknown> {
  type R = Readonly<Record<string, V>>;
  const validate = (u: unknown, c: t.Context): t.Validation<R> => {
    if (!isPlainObject(u)) return t.failure(u, c);
    const errors: t.ValidationError[] = [];
    const entries: [string, V][] = [];
    for (const k of Object.keys(u)) {
      const keyResult = key.validate(k, t.appendContext(c, k, key, k));
      if (keyResult._tag === 'Left') {
        errors.push(...keyResult.left);
        continue;
      }
      const v = u[k];
      const valueResult = value.validate(v, t.appendContext(c, k, value, v));
      if (valueResult._tag === 'Left') errors.push(...valueResult.left);
      else entries.push([keyResult.right, valueResult.right]);
    }
    return errors.length > 0 ? t.failures(errors) : t.success(Object.fromEntries(entries));
  };
  return new t.Type<R, R, unknown>(
    name,
    (u): u is R => validate(u, [])._tag === 'Right',
    validate,
    (a) => Object.fromEntries(Object.entries(a)),
  );
}
