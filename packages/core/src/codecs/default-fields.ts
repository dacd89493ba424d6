import { deepEqual, hasOwn, isPlainObject } from './plain-object.js';

/**
 * Stored records leave out fields that hold their default, and get them back before decoding:
 * a queued task's record shrinks from about 1,200 to about 300 characters, which is what a store
 * keeps, fsyncs and parses again at every open (B5, B6). Only fields listed in `defaults` can be
 * left out; identity fields (identifier, kind, phase, creation time, request URL) have no default,
 * so a record that lost one still fails to decode and is quarantined.
 */
export type Defaults = Readonly<Record<string, unknown>>;

/**
 * Drops every field of `value` deep-equal to its default (recursively into nested defaults).
 *
 * @example
 * ```ts
 * omitDefaults({ a: 1, b: null, c: { d: 0, e: 2 } }, { b: null, c: { d: 0 } }); // { a: 1, c: { e: 2 } }
 * ```
 */
export function omitDefaults(value: Readonly<Record<string, unknown>>, defaults: Defaults): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = compactField(value[key], defaults, key);
    if (field !== omitted) kept[key] = field;
  }
  return kept;
}

/** What {@link compactField} answers for a field that holds its default and is left out. */
export const omitted: unique symbol = Symbol('omitted');

/**
 * One field of {@link omitDefaults}: `omitted` when `field` is deep-equal to `defaults[key]`, its
 * compact form when both are objects (`{}` when every nested field holds its default), else
 * `field` itself.
 *
 * @example
 * ```ts
 * compactField({ d: 0, e: 2 }, { c: { d: 0 } }, 'c'); // { e: 2 }
 * compactField(null, { b: null }, 'b'); // omitted
 * ```
 */
export function compactField(field: unknown, defaults: Defaults, key: string): unknown {
  if (!hasOwn(defaults, key)) return field;
  const fallback = defaults[key];
  if (deepEqual(field, fallback)) return omitted;
  if (isPlainObject(field) && isPlainObject(fallback) && !isEmpty(fallback)) return omitDefaults(field, fallback);
  return field;
}

/**
 * Puts back the fields `omitDefaults` left out. Anything that is not a plain object is returned
 * as it is, for the decoder to reject; it never throws.
 *
 * @example
 * ```ts
 * withDefaults({ a: 1, c: { e: 2 } }, { b: null, c: { d: 0 } }); // { a: 1, c: { e: 2, d: 0 }, b: null }
 * ```
 */
export function withDefaults(raw: unknown, defaults: Defaults): unknown {
  if (!isPlainObject(raw)) return raw;
  const full: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) full[key] = raw[key];
  for (const key of Object.keys(defaults)) {
    const fallback = defaults[key];
    if (!hasOwn(raw, key)) full[key] = fallback;
    else if (isPlainObject(fallback) && !isEmpty(fallback)) full[key] = withDefaults(raw[key], fallback);
  }
  return full;
}

function isEmpty(object: Readonly<Record<string, unknown>>): boolean {
  for (const key in object) if (hasOwn(object, key)) return false;
  return true;
}

