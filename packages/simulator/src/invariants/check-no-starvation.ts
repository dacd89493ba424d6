import type { AttemptRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';

/**
 * #16 No starvation (bounded bypass): of the tasks created after `waiting` with a higher
 * priority, at most `bound` get their first attempt before it does.
 *
 * @example
 * ```ts
 * expect(checkNoStarvation(world.log.attempts, { waiting: lowUrl, later: highUrls, bound: 6 })).toEqual([]);
 * ```
 */
export function checkNoStarvation(attempts: readonly AttemptRecord[], input: { readonly waiting: string; readonly later: readonly string[]; readonly bound: number }): Violation[] {
  const firstStep = (url: string): number => attempts.find((attempt) => attempt.url === url)?.step ?? Infinity;
  const waitingStep = firstStep(input.waiting);
  if (waitingStep === Infinity) return [{ invariant: 16, message: `${input.waiting} never got an attempt` }];
  const bypassed = input.later.filter((url) => firstStep(url) < waitingStep);
  if (bypassed.length <= input.bound) return [];
  return [{ invariant: 16, message: `${input.waiting} was overtaken by ${bypassed.length} later tasks of higher priority (bound ${input.bound})` }];
}
