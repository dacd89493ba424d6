import * as t from 'io-ts';

/**
 * One of the given string literals. Membership is a `Set` lookup, so `'constructor'` or
 * `'__proto__'` never match by way of a prototype.
 *
 * @example
 * ```ts
 * const ifExists = oneOf(['fail', 'replace', 'rename']);
 * ifExists.decode('replace'); // Right('replace')
 * ```
 */
export function oneOf<const L extends readonly [string, ...string[]]>(values: L): t.Type<L[number], L[number], unknown> {
  const set: ReadonlySet<string> = new Set(values);
  const is = (u: unknown): u is L[number] => typeof u === 'string' && set.has(u);
  return new t.Type<L[number], L[number], unknown>(
    `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
}
