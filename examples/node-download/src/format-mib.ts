const numberFormat = new Intl.NumberFormat('en-US');

/**
 * Formats a byte count as the example prints it: exact, with thousands separators, then in MiB.
 *
 * @example
 * ```ts
 * formatMib(104857600); // '104,857,600 (100.0 MiB)'
 * ```
 */
export function formatMib(bytes: number): string {
  return `${numberFormat.format(bytes)} (${(bytes / (1024 * 1024)).toFixed(1)} MiB)`;
}
