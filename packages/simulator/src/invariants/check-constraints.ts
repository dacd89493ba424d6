import type { AttemptRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';

/** A task's network constraints as the app gave them (session defaults applied). */
export interface TaskConstraints {
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
}

/**
 * #15 Constraints hold: no attempt starts on an expensive or constrained network its task does
 * not allow, and no discretionary task's attempt starts on either. Tasks are found by URL.
 *
 * @example
 * ```ts
 * expect(checkConstraints(world.log.attempts, new Map([[url, { allowsExpensiveNetwork: false, allowsConstrainedNetwork: true, discretionary: false }]]))).toEqual([]);
 * ```
 */
export function checkConstraints(attempts: readonly AttemptRecord[], constraints: ReadonlyMap<string, TaskConstraints>): Violation[] {
  const violations: Violation[] = [];
  for (const attempt of attempts) {
    const task = constraints.get(attempt.url);
    if (task === undefined || attempt.network === null) continue;
    const { expensive, constrained } = attempt.network;
    const refusesExpensive = !task.allowsExpensiveNetwork || task.discretionary;
    const refusesConstrained = !task.allowsConstrainedNetwork || task.discretionary;
    if ((expensive && refusesExpensive) || (constrained && refusesConstrained)) {
      const network = [expensive ? 'expensive' : '', constrained ? 'constrained' : ''].filter(Boolean).join(' and ');
      violations.push({ invariant: 15, message: `${attempt.url} (${JSON.stringify(task)}) started an attempt on an ${network} network at t=${attempt.at}` });
    }
  }
  return violations;
}
