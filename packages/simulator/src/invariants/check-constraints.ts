import type { NetworkState } from '@bgsession/core';
import type { AttemptRecord, NetworkChangeRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';

/** A task's network constraints as the app gave them (session defaults applied). */
export interface TaskConstraints {
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
  /** Whether the task is idempotent, as the app marked it (default: by its attempts' method). */
  readonly idempotent?: boolean;
}

/** What {@link checkConstraints} reads of the world's log (`world.log` has both). */
export interface ConstraintsLog {
  readonly attempts: readonly AttemptRecord[];
  readonly networkChanges: readonly NetworkChangeRecord[];
}

/** The methods the core takes for idempotent when the app says nothing (semantics.md, task options). */
const idempotentMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * #15 Constraints hold: no attempt starts on an expensive or constrained network its task does
 * not allow, nor a discretionary task's on either; and none keeps moving bytes once the network
 * stops allowing it. An attempt running when the network changes may still move bytes at the
 * instant of the change (delivered before the session could react) provided it ends at that
 * instant; after that instant it moves none while the network refuses it. A non-idempotent
 * request, whose start the core records, is left to run (ADR 6). Tasks are found by URL. Given
 * only the attempts (no network changes), it checks their starts.
 *
 * @example
 * ```ts
 * expect(checkConstraints(world.log, new Map([[url, { allowsExpensiveNetwork: false, allowsConstrainedNetwork: true, discretionary: false }]]))).toEqual([]);
 * ```
 */
export function checkConstraints(log: ConstraintsLog | readonly AttemptRecord[], constraints: ReadonlyMap<string, TaskConstraints>): Violation[] {
  const { attempts, networkChanges } = isLog(log) ? log : { attempts: log, networkChanges: [] };
  const violations: Violation[] = [];
  for (const attempt of attempts) {
    const task = constraints.get(attempt.url);
    if (task === undefined) continue;
    const described = `${attempt.url} (${JSON.stringify(task)})`;
    const refused = attempt.network === null ? '' : refusedBy(task, attempt.network);
    if (refused !== '') violations.push({ invariant: 15, message: `${described} started an attempt on an ${refused} network at t=${attempt.at}` });
    if (!(task.idempotent ?? idempotentMethods.has(attempt.method.toUpperCase()))) continue;
    for (const moved of attempt.movedAfterChange) {
      const change = lastBefore(networkChanges, moved.step);
      if (change === undefined || change.step < attempt.step) continue;
      const refusedNow = refusedBy(task, change.state);
      if (refusedNow === '') continue;
      const endedThen = moved.monotonic === change.monotonic && attempt.endMonotonic === change.monotonic;
      if (endedThen) continue;
      const ended = attempt.endMonotonic === null ? 'never ended' : `ended at ${attempt.endMonotonic} ms`;
      violations.push({
        invariant: 15,
        message: `${described}: its attempt started at t=${attempt.at} still moved bytes at ${moved.monotonic} ms (monotonic) after the network became ${refusedNow} at ${change.monotonic} ms, and ${ended}`,
      });
    }
  }
  return violations;
}

/** What of `network` the task refuses ('expensive', 'constrained', both, or '' when it allows it). */
function refusedBy(task: TaskConstraints, network: NetworkState): string {
  const refusesExpensive = network.expensive && (!task.allowsExpensiveNetwork || task.discretionary);
  const refusesConstrained = network.constrained && (!task.allowsConstrainedNetwork || task.discretionary);
  return [refusesExpensive ? 'expensive' : '', refusesConstrained ? 'constrained' : ''].filter(Boolean).join(' and ');
}

/** The last change logged before `step` (changes are in step order). */
function lastBefore(changes: readonly NetworkChangeRecord[], step: number): NetworkChangeRecord | undefined {
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((changes[middle]?.step ?? Number.POSITIVE_INFINITY) < step) low = middle + 1;
    else high = middle;
  }
  return changes[low - 1];
}

function isLog(log: ConstraintsLog | readonly AttemptRecord[]): log is ConstraintsLog {
  return !Array.isArray(log);
}
