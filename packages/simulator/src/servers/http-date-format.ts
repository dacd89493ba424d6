/**
 * An instant as an HTTP-date (IMF-fixdate, RFC 9110 section 5.6.7): whole seconds, UTC.
 *
 * @example
 * ```ts
 * formatHttpDate(1_700_000_000_000); // 'Tue, 14 Nov 2023 22:13:20 GMT'
 * ```
 */
export function formatHttpDate(instant: number): string {
  return new Date(instant).toUTCString();
}
