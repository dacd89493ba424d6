import type { TaskInfo } from '@bgsession/core';
import type { Violation } from './invariant-sentences.js';

/**
 * #19 Round trip: each task's public snapshot after a kill and a relaunch equals the one before
 * (taken while the task was suspended, so nothing moved in between).
 *
 * @example
 * ```ts
 * expect(checkRoundTrip(before, session.tasks().map((task) => task.info()))).toEqual([]);
 * ```
 */
export function checkRoundTrip(before: readonly TaskInfo[], after: readonly TaskInfo[]): Violation[] {
  const violations: Violation[] = [];
  const afterById = new Map(after.map((info) => [info.taskIdentifier, info]));
  for (const info of before) {
    const reopened = afterById.get(info.taskIdentifier);
    if (reopened === undefined) {
      violations.push({ invariant: 19, message: `task ${info.taskIdentifier} is gone after the relaunch` });
      continue;
    }
    const changed = (Object.keys(info) as (keyof TaskInfo)[]).filter((key) => JSON.stringify(info[key]) !== JSON.stringify(reopened[key]));
    for (const key of changed) {
      violations.push({ invariant: 19, message: `task ${info.taskIdentifier}'s ${key} was ${JSON.stringify(info[key])}, is ${JSON.stringify(reopened[key])} after the relaunch` });
    }
  }
  return violations;
}
