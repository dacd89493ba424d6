/** What a persisted due time is for; only some may be clamped after the clock went back. */
export type DueTimeKind = 'backoff' | 'earliestBegin';

/**
 * The wall-clock instant a task times out (`ResourceTimeout`): its creation plus
 * `timeoutForResource`, counting every moment the host was dead or the task suspended.
 *
 * @example
 * ```ts
 * resourceDeadline(1_000, 7 * 24 * 3600 * 1000); // 604801000
 * ```
 */
export function resourceDeadline(createdAt: number, timeoutForResource: number): number {
  return createdAt + timeoutForResource;
}

/**
 * A persisted due time as it applies now (semantics section 4). A backoff or Retry-After due time
 * further away than `now + cap` cannot have been computed by this policy on a correct clock: the
 * clock went back (or the store came from another machine), and waiting it out could mean waiting
 * for years. It is clamped to `now + cap`. `earliestBeginDate` is the app's own instant and is
 * never clamped.
 *
 * @example
 * ```ts
 * clampDueTime(10_000_000, 0, 600_000, 'backoff'); // 600000
 * clampDueTime(10_000_000, 0, 600_000, 'earliestBegin'); // 10000000
 * ```
 */
export function clampDueTime(storedDueAt: number, now: number, cap: number, kind: DueTimeKind): number {
  if (kind === 'earliestBegin') return storedDueAt;
  return Math.min(storedDueAt, now + cap);
}

/**
 * Whether a deadline has passed: at the deadline itself the task is out of time.
 *
 * @example
 * ```ts
 * isExpired(1_000, 999); // false
 * isExpired(1_000, 1_000); // true
 * ```
 */
export function isExpired(deadline: number, now: number): boolean {
  return now >= deadline;
}
