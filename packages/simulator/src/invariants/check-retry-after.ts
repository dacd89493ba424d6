import type { Violation } from './invariant-sentences.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #10 Retries follow the policy, for what the wire shows: after a 503 or 429 carrying
 * `Retry-After: <seconds>`, the next request of the same task (whatever its URL: a redirect chain
 * starts again at the task's first URL) starts no sooner than that many seconds (capped at
 * `retry.cap`) after the response, across relaunches once the backoff was committed. Another task
 * of the same URL is not held back. A wait the wall clock jumped through is not judged.
 *
 * @example
 * ```ts
 * expect(checkRetryAfter(input)).toEqual([]);
 * ```
 */
export function checkRetryAfter(input: WorldCheckInput): Violation[] {
  const violations: Violation[] = [];
  const attempts = input.log.attempts;
  attempts.forEach((attempt, index) => {
    const response = attempt.response;
    if (response === null || (response.status !== 503 && response.status !== 429)) return;
    const value = response.headers['retry-after']?.trim() ?? '';
    if (!/^\d{1,9}$/.test(value)) return;
    const cap = input.limits.get(attempt.session)?.retryCap ?? Number.POSITIVE_INFINITY;
    const wait = Math.min(Number(value) * 1000, cap);
    const next = attempts.slice(index + 1).find((other) => other.session === attempt.session && other.taskIdentifier === attempt.taskIdentifier);
    if (next === undefined || next.wallOffset !== attempt.wallOffset) return;
    // A process that died before its backoff was committed took the Retry-After with it.
    const durable = input.log.commits.some(
      (commit) => commit.session === attempt.session && commit.taskIdentifier === attempt.taskIdentifier && commit.step > attempt.step && commit.step < next.step && commit.dueAt !== null,
    );
    if (next.generation !== attempt.generation && !durable) return;
    if (next.at < response.at + wait) {
      violations.push({
        invariant: 10,
        message: `task ${attempt.taskIdentifier}: ${attempt.url} answered ${response.status} with Retry-After: ${value} at t=${response.at}, and was asked again at t=${next.at} (${next.at - response.at} ms later, ${wait} ms due)`,
      });
    }
  });
  return violations;
}
