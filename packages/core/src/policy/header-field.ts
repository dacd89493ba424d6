/** A token of RFC 9110 (5.6.2): what a method or a header name is made of. */
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Whether `value` is an RFC 9110 token: a valid HTTP method or header name (any case).
 *
 * @example
 * ```ts
 * isToken('X-Api-Key'); // true
 * isToken('x a'); // false
 * ```
 */
export function isToken(value: string): boolean {
  return token.test(value);
}

/**
 * Whether a header value holds CR, LF or NUL, through which another header could be smuggled.
 *
 * @example
 * ```ts
 * hasLineBreak('a\r\nInjected: yes'); // true
 * ```
 */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\0]/.test(value);
}

/**
 * Whether a header value has text beyond Latin-1, which cannot go on the wire as it is (a field
 * value is bytes, RFC 9110 5.5).
 *
 * @example
 * ```ts
 * beyondLatin1('Bearer €'); // true
 * ```
 */
export function beyondLatin1(value: string): boolean {
  return /[\u0100-\uffff]/.test(value);
}
