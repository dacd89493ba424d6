const width = 30;

/**
 * A progress line as the child prints it and main.ts parses it: `progress <bytes>/<total>` then a
 * text bar (no carriage returns, so it reads the same through a pipe).
 *
 * @example
 * ```ts
 * progressLine(50, 100); // 'progress 50/100 [###############...............]  50.0%'
 * ```
 */
export function progressLine(bytes: number, total: number): string {
  const fraction = total > 0 ? Math.min(1, bytes / total) : 0;
  const filled = Math.round(fraction * width);
  return `progress ${bytes}/${total} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%`;
}
