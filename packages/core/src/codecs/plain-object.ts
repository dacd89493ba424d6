/**
 * Whether `value` is a plain data object: what `JSON.parse` or an object literal makes (or one
 * with a null prototype). Arrays, dates, maps, class instances and boxed values are not records.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Map()); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Whether `object` has `key` as its own property. Reads through the prototype (`constructor`,
 * `toString`, an own `__proto__` key) are what this guards against.
 *
 * @example
 * ```ts
 * hasOwn({}, 'toString'); // false
 * ```
 */
export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * JSON-like deep equality: equal primitives, arrays of equal items, plain objects with the same own
 * keys holding equal values. Anything else is equal only to itself.
 *
 * @example
 * ```ts
 * deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }); // true
 * ```
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
