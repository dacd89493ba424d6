import type { RetryPolicy } from '../model/configuration.js';

/**
 * The delay before the next attempt, by exponential backoff with full jitter (semantics section 4):
 * `floor(draw * min(cap, base * 2^exponent))`.
 *
 * `draw` comes from the Random port, so the simulator replays every delay. Full jitter is what
 * keeps 100 tasks that failed together from retrying in the same millisecond. A huge exponent
 * makes `2^exponent` Infinity, which `min` turns into `cap`; nothing overflows.
 *
 * @example
 * ```ts
 * const retry = { base: 1000, cap: 600_000, maxAttempts: null };
 * backoffDelay(0, 0.5, retry); // 500
 * backoffDelay(3, 0.5, retry); // 4000
 * backoffDelay(5000, 0.5, retry); // 300000
 * ```
 */
export function backoffDelay(exponent: number, draw: number, policy: RetryPolicy): number {
  // Written as `x > 0 ? ... : 0` so NaN from a bad caller counts as 0 instead of spreading.
  const cap = policy.cap > 0 ? policy.cap : 0;
  if (!(policy.base > 0) || !(draw > 0)) return 0;
  const n = exponent > 0 ? Math.floor(exponent) : 0;
  const ceiling = Math.min(cap, policy.base * 2 ** n);
  // The Random port promises [0, 1); a draw of 1 would reach the cap itself, so stay below it.
  const jitter = Math.min(draw, 1 - Number.EPSILON);
  return Math.min(Math.floor(jitter * ceiling), Number.MAX_SAFE_INTEGER);
}
