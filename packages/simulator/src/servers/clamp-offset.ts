/**
 * An offset or length clamped to 0..`length` (whole numbers; NaN is 0, +Infinity is `length`).
 *
 * @example
 * ```ts
 * clampOffset(12.7, 10); // 10
 * clampOffset(-3, 10); // 0
 * ```
 */
export function clampOffset(value: number, length: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(0, Math.floor(value)), length) : value > 0 ? length : 0;
}
