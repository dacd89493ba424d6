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
  // A request reached by a redirect belongs to the chain of the URL the redirect answered, so a
  // presigned link that differs at each attempt still names the same task's content (fault A9).
  const chainOf = new Map<string, string>();
  for (const attempt of input.log.attempts) {
    const key = chainOf.get(`${attempt.session} ${attempt.url}`) ?? `${attempt.session} ${attempt.url}`;
    const range = attempt.headers['range'];
    if (range !== undefined) {
      const ifRange = attempt.headers['if-range'];
      if (ifRange === undefined) violations.push({ invariant: 8, message: `request of step ${attempt.step} to ${attempt.url} asks Range: ${range} without If-Range` });
      else if (!(seen.get(key)?.has(ifRange.trim()) ?? false)) {
        violations.push({ invariant: 8, message: `request of step ${attempt.step} to ${attempt.url} asks Range: ${range} with If-Range: ${ifRange}, no strong validator seen before` });
      }
    }
    const location = attempt.response !== null && attempt.response.status >= 300 && attempt.response.status < 400 ? attempt.response.headers['location'] : undefined;
    const target = location === undefined ? null : resolvedUrl(location, attempt.url);
    if (target !== null) chainOf.set(`${attempt.session} ${target.href}`, key);
    const validator = attempt.response === null ? null : strongValidator(attempt.response.headers);
    if (validator !== null) seen.set(key, (seen.get(key) ?? new Set()).add(validator));
  }
  return violations;
}

/** `location` resolved against `base`, or null when it is no URL (a hostile server's header). */
function resolvedUrl(location: string, base: string): URL | null {
  try {
    return new URL(location, base);
  } catch {
    return null;
  }
}
