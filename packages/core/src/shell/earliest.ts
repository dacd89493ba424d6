/**
 * The earliest of some instants, or null when there is none (the session's one wake timer is
 * armed for it).
 *
 * @example
 * ```ts
 * earliest([null, 30, 10]); // 10
 * ```
 */
export function earliest(instants: ReadonlyArray<number | null>): number | null {
  let first: number | null = null;
  for (const instant of instants) if (instant !== null && (first === null || instant < first)) first = instant;
  return first;
}
