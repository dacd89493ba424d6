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
