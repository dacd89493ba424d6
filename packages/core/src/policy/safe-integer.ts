/**
 * What `parseSafeInteger` found: the number, `'unsafe'` for digits past 2^53 - 1 (a JavaScript number
 * would silently round them), or `null` when the text is not a plain run of decimal digits.
 */
export type SafeIntegerResult = number | 'unsafe' | null;

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses `1*DIGIT` (RFC 9110 lengths, range positions, delay-seconds) without precision loss.
 *
 * `Number('9007199254740993')` is 9007199254740992: a header value past 2^53 read as a number would
 * name another byte than the server meant, and a resumed file would be spliced at the wrong place.
 * The digits go through BigInt so such a value is reported, never rounded.
 *
 * @example
 * ```ts
 * parseSafeInteger('42'); // 42
 * parseSafeInteger('9007199254740993'); // 'unsafe'
 * parseSafeInteger('4 2'); // null
 * ```
 */
export function parseSafeInteger(text: string): SafeIntegerResult {
  if (!/^[0-9]+$/.test(text)) return null;
  const value = BigInt(text);
  return value > maxSafe ? 'unsafe' : Number(value);
}
