import type { Violation } from './invariant-sentences.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #14 Limits hold: at no step do more than `maxConnectionsPerHost` attempts of a session run
 * against one origin, or more than `maxConcurrentTasks` in the session (an attempt runs from its
 * start to the end of its body, its failure, release or abort).
 *
 * @example
 * ```ts
 * expect(checkLimits(input)).toEqual([]);
 * ```
 */
export function checkLimits(input: WorldCheckInput): Violation[] {
  const moments: { readonly step: number; readonly delta: 1 | -1; readonly session: string; readonly origin: string }[] = [];
  for (const attempt of input.log.attempts) {
    moments.push({ step: attempt.step, delta: 1, session: attempt.session, origin: attempt.origin });
    if (attempt.endStep !== null) moments.push({ step: attempt.endStep, delta: -1, session: attempt.session, origin: attempt.origin });
  }
  moments.sort((a, b) => a.step - b.step);
  const perOrigin = new Map<string, number>();
  const perSession = new Map<string, number>();
  const violations: Violation[] = [];
  for (const moment of moments) {
    const originKey = `${moment.session} ${moment.origin}`;
    const atOrigin = (perOrigin.get(originKey) ?? 0) + moment.delta;
    const inSession = (perSession.get(moment.session) ?? 0) + moment.delta;
    perOrigin.set(originKey, atOrigin);
    perSession.set(moment.session, inSession);
    const limits = input.limits.get(moment.session);
    if (limits === undefined || moment.delta < 0) continue;
    if (atOrigin > limits.maxConnectionsPerHost) {
      violations.push({ invariant: 14, message: `${atOrigin} attempts of ${moment.session} against ${moment.origin} at step ${moment.step} (limit ${limits.maxConnectionsPerHost})` });
    }
    if (inSession > limits.maxConcurrentTasks) {
      violations.push({ invariant: 14, message: `${inSession} attempts in ${moment.session} at step ${moment.step} (limit ${limits.maxConcurrentTasks})` });
    }
  }
  return violations;
}
