import type { NetworkState } from '../ports/connectivity.js';

/**
 * Tasks fall into four classes by what they need from the network: bit 0 set means the task
 * needs an unmetered network, bit 1 an unconstrained one. A discretionary task needs both.
 * Grouping by class lets `decide` skip every task the current network rules out without looking
 * at them one by one.
 */
export type ConstraintClass = 0 | 1 | 2 | 3;

/** All classes, in the order `decide` reports waiting tasks. */
export const constraintClasses: readonly ConstraintClass[] = [0, 1, 2, 3];

const needsUnmetered = 1;
const needsUnconstrained = 2;

/**
 * The class of a task's network constraints (invariant #15).
 *
 * @example
 * ```ts
 * constraintClassOf({ allowsExpensiveNetwork: true, allowsConstrainedNetwork: true, discretionary: true }); // 3
 * ```
 */
export function constraintClassOf(constraints: {
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
}): ConstraintClass {
  const unmetered = !constraints.allowsExpensiveNetwork || constraints.discretionary;
  const unconstrained = !constraints.allowsConstrainedNetwork || constraints.discretionary;
  return ((unmetered ? needsUnmetered : 0) | (unconstrained ? needsUnconstrained : 0)) as ConstraintClass;
}

/**
 * Whether tasks of class `constraintClass` may run on `network`. Offline, none may.
 *
 * @example
 * ```ts
 * isClassAllowed(1, { online: true, expensive: true, constrained: false }); // false
 * ```
 */
export function isClassAllowed(constraintClass: ConstraintClass, network: NetworkState): boolean {
  if (!network.online) return false;
  if (network.expensive && (constraintClass & needsUnmetered) !== 0) return false;
  if (network.constrained && (constraintClass & needsUnconstrained) !== 0) return false;
  return true;
}
