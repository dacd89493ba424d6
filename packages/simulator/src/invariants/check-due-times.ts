import type { AttemptRecord, CommitRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';
import type { WorldCheckInput } from './world-check-input.js';

const waitingPhases = new Set(['created', 'suspended', 'scheduled', 'backingOff']);

/**
 * #12 Due times survive: no attempt of a task starts before the last due time committed for it
 * (backing off, waiting for its begin date...) since its previous attempt, across relaunches: a
 * relaunch that commits the record again without it has forgotten it. An attempt after the wall
 * clock went back is not judged (the core may clamp a backoff then).
 *
 * @example
 * ```ts
 * expect(checkDueTimes(input)).toEqual([]);
 * ```
 */
export function checkDueTimes(input: WorldCheckInput): Violation[] {
  const tasksOfUrl = new Map<string, number[]>();
  for (const created of input.trace.ofKind('created')) {
    const key = `${created.session} ${created.url}`;
    tasksOfUrl.set(key, [...(tasksOfUrl.get(key) ?? []), created.taskIdentifier]);
  }
  const previous = new Map<AttemptRecord, AttemptRecord>();
  const lastOf = new Map<string, AttemptRecord>();
  for (const attempt of input.log.attempts) {
    const key = `${attempt.session} ${attempt.url}`;
    const last = lastOf.get(key);
    if (last !== undefined) previous.set(attempt, last);
    lastOf.set(key, attempt);
  }
  const commitsOf = new Map<string, CommitRecord[]>();
  for (const commit of input.log.commits) {
    const key = `${commit.session}#${commit.taskIdentifier}`;
    const list = commitsOf.get(key);
    if (list === undefined) commitsOf.set(key, [commit]);
    else list.push(commit);
  }
  const violations: Violation[] = [];
  for (const attempt of input.log.attempts) {
    const tasks = tasksOfUrl.get(`${attempt.session} ${attempt.url}`) ?? [];
    const early = tasks.map((taskIdentifier) => {
      const waiting = lastWaiting(commitsOf.get(`${attempt.session}#${taskIdentifier}`) ?? [], previous.get(attempt)?.step ?? 0, attempt.step);
      if (waiting?.dueAt === undefined || waiting.dueAt === null || attempt.wallOffset < waiting.wallOffset) return null;
      return attempt.at < waiting.dueAt ? { taskIdentifier, waiting } : null;
    });
    const first = early[0];
    if (tasks.length > 0 && early.every((entry) => entry !== null) && first !== undefined && first !== null) {
      violations.push({
        invariant: 12,
        message: `task ${first.taskIdentifier} of ${attempt.session} was due at t=${first.waiting.dueAt} (committed ${first.waiting.phase} at t=${first.waiting.at}, g${first.waiting.generation}) and its attempt started at t=${attempt.at} (g${attempt.generation})`,
      });
    }
  }
  return violations;
}

/** The last commit of `commits` (in log order) strictly between steps `after` and `before` that left the task waiting with a due time. */
function lastWaiting(commits: readonly CommitRecord[], after: number, before: number): CommitRecord | undefined {
  let low = 0;
  let high = commits.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((commits[middle] as CommitRecord).step < before) low = middle + 1;
    else high = middle;
  }
  for (let index = low - 1; index >= 0; index -= 1) {
    const commit = commits[index] as CommitRecord;
    if (commit.step <= after) return undefined;
    if (waitingPhases.has(commit.phase) && commit.dueAt !== null) return commit;
  }
  return undefined;
}
