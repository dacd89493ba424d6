import type { Violation } from './invariant-sentences.js';
import { strongValidator } from './strong-validator.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #8 Range only with a strong validator: no request carries `Range` without an `If-Range` naming a
 * strong validator seen on an earlier response for the same URL in the same session.
 *
 * @example
 * ```ts
 * expect(checkRangeValidators(input)).toEqual([]);
 * ```
 */
export function checkRangeValidators(input: WorldCheckInput): Violation[] {
  const violations: Violation[] = [];
  const seen = new Map<string, Set<string>>();
  for (const attempt of input.log.attempts) {
    const key = `${attempt.session} ${attempt.url}`;
    const range = attempt.headers['range'];
    if (range !== undefined) {
      const ifRange = attempt.headers['if-range'];
      if (ifRange === undefined) violations.push({ invariant: 8, message: `request of step ${attempt.step} to ${attempt.url} asks Range: ${range} without If-Range` });
      else if (!(seen.get(key)?.has(ifRange.trim()) ?? false)) {
        violations.push({ invariant: 8, message: `request of step ${attempt.step} to ${attempt.url} asks Range: ${range} with If-Range: ${ifRange}, no strong validator seen before` });
      }
    }
    const validator = attempt.response === null ? null : strongValidator(attempt.response.headers);
    if (validator !== null) seen.set(key, (seen.get(key) ?? new Set()).add(validator));
  }
  return violations;
}
