const numberFormat = new Intl.NumberFormat('en-US');

/**
 * Formats a byte count with thousands separators, as the demo prints it.
 *
 * @example
 * ```ts
 * formatBytes(2097152); // '2,097,152'
 * ```
 */
export function formatBytes(bytes: number): string {
  return numberFormat.format(bytes);
}
