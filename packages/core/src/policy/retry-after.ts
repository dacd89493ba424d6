import { parseHttpDate } from './http-date.js';
import { parseSafeInteger } from './safe-integer.js';

/**
 * The delay a `Retry-After` header asks for, in ms, or `null` when there is none or it is garbage
 * (fault B10: garbage is ignored, and the ordinary backoff applies).
 *
 * - `delay-seconds`: that many seconds. A negative number is read as 0 (retry now).
 * - HTTP-date: its distance from the response's own `Date` header when that parses, else from
 *   `receivedAt`. Reading it against the server's clock rather than ours keeps a skewed local
 *   clock from turning "in 2 minutes" into "an hour ago" or "next week". A date in the past is 0.
 *
 * Huge values are returned as they are (at most `Number.MAX_SAFE_INTEGER`); the caller caps them
 * with `retry.cap`.
 *
 * @example
 * ```ts
 * parseRetryAfter('120', undefined, 0); // 120000
 * parseRetryAfter('Sun, 06 Nov 1994 08:51:37 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT', 0); // 120000
 * parseRetryAfter('soon', undefined, 0); // null
 * ```
 */
export function parseRetryAfter(
  value: string | undefined,
  responseDate: string | undefined,
  receivedAt: number,
): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^-[0-9]+$/.test(text)) return 0;
  const seconds = parseSafeInteger(text);
  if (seconds === 'unsafe') return Number.MAX_SAFE_INTEGER;
  if (seconds !== null) return Math.min(seconds * 1000, Number.MAX_SAFE_INTEGER);
  const at = parseHttpDate(text);
  if (at === null) return null;
  const reference = parseHttpDate(responseDate) ?? receivedAt;
  return Math.max(0, at - reference);
}
