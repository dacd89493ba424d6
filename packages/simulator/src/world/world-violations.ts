import { checkDeliveredContent } from '../invariants/check-delivered-content.js';
import { checkDueTimes } from '../invariants/check-due-times.js';
import { checkResourceTimeout } from '../invariants/check-resource-timeout.js';
import { checkRetryAfter } from '../invariants/check-retry-after.js';
import { checkKeptBytes } from '../invariants/check-kept-bytes.js';
import { checkLimits } from '../invariants/check-limits.js';
import { checkNoPartialDelivered } from '../invariants/check-no-partial-delivered.js';
import { checkRangeValidators } from '../invariants/check-range-validators.js';
import type { Violation } from '../invariants/invariant-sentences.js';
import { checkCompletedIsFinal, checkDurableBeforeVisible, checkIdentifiersNotReused, checkNoTaskLost, checkOneEnd } from '../invariants/tasks-and-events.js';
import type { WorldCheckInput } from '../invariants/world-check-input.js';

export type { ServedFile, SessionLimits } from '../invariants/world-check-input.js';

/**
 * Every invariant the world's records can show broken: #1-#12 and #14, in that order.
 *
 * @example
 * ```ts
 * const violations = worldViolations(input).filter((violation) => violation.invariant === 7);
 * ```
 */
export function worldViolations(input: WorldCheckInput): Violation[] {
  return [
    ...checkNoTaskLost(input),
    ...checkOneEnd(input),
    ...checkDurableBeforeVisible(input),
    ...checkCompletedIsFinal(input),
    ...checkIdentifiersNotReused(input),
    ...checkDeliveredContent(input),
    ...checkKeptBytes(input),
    ...checkRangeValidators(input),
    ...checkNoPartialDelivered(input),
    ...checkRetryAfter(input),
    ...checkResourceTimeout(input),
    ...checkDueTimes(input),
    ...checkLimits(input),
  ];
}
