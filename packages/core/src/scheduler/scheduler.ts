import { BgSessionError } from '../errors/bg-session-error.js';
import type { NetworkState } from '../ports/connectivity.js';
import { constraintClassOf } from './constraint-class.js';
import { SchedulerCore, type TaskNode } from './scheduler-core.js';
import {
  defaultAgingWindow,
  type SchedulerDecision,
  type SchedulerEntry,
  type SchedulerLimits,
  type SchedulerOptions,
  type SchedulerState,
} from './scheduler-types.js';

// The state is owned linearly (see `SchedulerState`): these functions change the one engine in
// place and hand the same value back, so callers can write `state = addTask(state, entry)` as if it
// were immutable while no queue is ever copied.
const asCore = (state: SchedulerState): SchedulerCore => state as unknown as SchedulerCore;
const asState = (core: SchedulerCore): SchedulerState => core as unknown as SchedulerState;

function checkLimits(limits: SchedulerLimits): SchedulerLimits {
  for (const field of ['maxConnectionsPerHost', 'maxConcurrentTasks'] as const) {
    const value = limits[field];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new BgSessionError('InvalidConfiguration', `${field} must be a positive integer, got ${String(value)}`, { field });
    }
  }
  return { maxConnectionsPerHost: limits.maxConnectionsPerHost, maxConcurrentTasks: limits.maxConcurrentTasks };
}

// A NaN priority or due time would silently break the heaps' order, so misuse fails loudly.
function checkEntry(entry: SchedulerEntry): void {
  const taskIdentifier = entry.taskIdentifier;
  if (!Number.isSafeInteger(taskIdentifier)) {
    throw new BgSessionError('InvalidArgument', `taskIdentifier must be an integer, got ${String(taskIdentifier)}`, { field: 'taskIdentifier' });
  }
  if (!(entry.priority >= 0 && entry.priority <= 1)) {
    throw new BgSessionError('InvalidArgument', `priority must be within 0..1, got ${String(entry.priority)}`, { field: 'priority', taskIdentifier });
  }
  if (entry.dueAt !== null && !Number.isFinite(entry.dueAt)) {
    throw new BgSessionError('InvalidArgument', `dueAt must be a finite instant or null, got ${String(entry.dueAt)}`, { field: 'dueAt', taskIdentifier });
  }
}

function refuseRunning(task: TaskNode): never {
  throw new BgSessionError('InvalidArgument', `task ${task.taskIdentifier} holds a slot: release it before queueing it again`, {
    field: 'taskIdentifier',
    taskIdentifier: task.taskIdentifier,
  });
}

/**
 * Creates an empty scheduler with the session's limits.
 *
 * Throws a `BgSessionError` (`InvalidConfiguration`) if a limit is not a positive integer, and
 * (`InvalidArgument`) if `agingWindow` is not positive.
 *
 * @example
 * ```ts
 * let state = createScheduler({ maxConnectionsPerHost: 6, maxConcurrentTasks: 16 });
 * ```
 */
export function createScheduler(limits: SchedulerLimits, options: SchedulerOptions = {}): SchedulerState {
  const agingWindow = options.agingWindow ?? defaultAgingWindow;
  if (!(agingWindow > 0)) {
    throw new BgSessionError('InvalidArgument', `agingWindow must be positive, got ${String(agingWindow)}`, { field: 'agingWindow' });
  }
  return asState(new SchedulerCore(checkLimits(limits), agingWindow));
}

/**
 * Queues a task for a slot. It starts from a later `decide` once due, allowed by the network and
 * within the limits. Adding a task that is already queued updates it (keeping its place in line);
 * adding one that holds a slot is a `BgSessionError` (`InvalidArgument`): release it first.
 *
 * @example
 * ```ts
 * state = addTask(state, { taskIdentifier: 7, origin: 'https://example.com', priority: 0.5, dueAt: null,
 *   allowsExpensiveNetwork: true, allowsConstrainedNetwork: true, discretionary: false });
 * ```
 */
export function addTask(state: SchedulerState, entry: SchedulerEntry): SchedulerState {
  const core = asCore(state);
  checkEntry(entry);
  const existing = core.tasks.get(entry.taskIdentifier);
  if (existing !== undefined) return updateTask(state, entry);
  const seq = core.nextSeq();
  const task: TaskNode = {
    taskIdentifier: entry.taskIdentifier,
    seq,
    origin: core.acquireOrigin(entry.origin),
    priority: entry.priority,
    key: core.keyOf(seq, entry.priority),
    dueAt: entry.dueAt,
    constraintClass: constraintClassOf(entry),
    place: 'due',
    heapIndex: -1,
    reported: false,
  };
  core.tasks.set(task.taskIdentifier, task);
  core.place(task);
  return state;
}

/**
 * Changes a queued task's origin (after a redirect), priority, due time or constraints. It keeps
 * its place in line (its age), and a new wait begins: if it is blocked, the next decision reports
 * it again. Updating an unknown task adds it; updating one that holds a slot is a
 * `BgSessionError` (`InvalidArgument`): release it first.
 *
 * @example
 * ```ts
 * state = updateTask(state, { ...entry, origin: 'https://cdn.example.com' });
 * ```
 */
export function updateTask(state: SchedulerState, entry: SchedulerEntry): SchedulerState {
  const core = asCore(state);
  checkEntry(entry);
  const task = core.tasks.get(entry.taskIdentifier);
  if (task === undefined) return addTask(state, entry);
  if (task.place === 'running') refuseRunning(task);
  // Acquire before releasing, so an origin that stays the same is not dropped in between.
  const origin = core.acquireOrigin(entry.origin);
  core.detach(task);
  core.releaseOrigin(task.origin);
  task.origin = origin;
  task.priority = entry.priority;
  task.key = core.keyOf(task.seq, entry.priority);
  task.dueAt = entry.dueAt;
  task.constraintClass = constraintClassOf(entry);
  task.reported = false;
  core.place(task);
  return state;
}

/**
 * Forgets a task, queued or running; a running task's slot is freed. Unknown tasks are ignored.
 *
 * @example
 * ```ts
 * state = removeTask(state, 7); // the task was cancelled or suspended
 * ```
 */
export function removeTask(state: SchedulerState, taskIdentifier: number): SchedulerState {
  const core = asCore(state);
  const task = core.tasks.get(taskIdentifier);
  if (task === undefined) return state;
  core.detach(task);
  core.releaseOrigin(task.origin);
  core.tasks.delete(taskIdentifier);
  return state;
}

/**
 * A running task's attempt ended: its slot is freed and the scheduler forgets it. If the task
 * wants another attempt (a retry, a redirect to another origin), the shell adds it again, which
 * puts it at the back of its priority (aging counts from there).
 *
 * @example
 * ```ts
 * state = releaseTask(state, 7);
 * const decision = decide(state, clock.now(), connectivity.current()); // may use the freed slot
 * ```
 */
export function releaseTask(state: SchedulerState, taskIdentifier: number): SchedulerState {
  return removeTask(state, taskIdentifier);
}

/**
 * Applies new limits (after a configuration change). Running tasks are never stopped: when a
 * limit shrinks below what runs, nothing new starts until enough slots are released.
 *
 * @example
 * ```ts
 * state = setLimits(state, { maxConnectionsPerHost: 2, maxConcurrentTasks: 4 });
 * ```
 */
export function setLimits(state: SchedulerState, limits: SchedulerLimits): SchedulerState {
  const core = asCore(state);
  core.limits = checkLimits(limits);
  core.resyncAll();
  return state;
}

/**
 * Chooses the tasks to start at `now` on `network`, and marks them running. Higher priority
 * first, FIFO within a priority, with aging (invariant #16); never past `maxConnectionsPerHost` on
 * an origin nor `maxConcurrentTasks` in the session (#14); never a task the network does not
 * allow (#15); never before a task's `dueAt`. Costs O((started + newly due) * log n).
 *
 * The state is changed in place (see `SchedulerState`): use only the same `state` afterwards.
 *
 * @example
 * ```ts
 * const decision = decide(state, clock.now(), connectivity.current());
 * for (const id of decision.start) send(id, { type: 'slotGranted' });
 * for (const { taskIdentifier } of decision.waiting) emitWaitingForConnectivity(taskIdentifier);
 * if (decision.nextWakeAt !== null) armSchedulerTimer(decision.nextWakeAt);
 * ```
 */
export function decide(state: SchedulerState, now: number, network: NetworkState): SchedulerDecision {
  return asCore(state).decide(now, network);
}

/**
 * How many tasks hold a slot.
 *
 * @example
 * ```ts
 * runningCount(state); // 0 on a new scheduler
 * ```
 */
export function runningCount(state: SchedulerState): number {
  return asCore(state).running;
}

/**
 * How many tasks wait for a slot (due or not).
 *
 * @example
 * ```ts
 * queuedCount(state); // 0 on a new scheduler
 * ```
 */
export function queuedCount(state: SchedulerState): number {
  const core = asCore(state);
  return core.tasks.size - core.running;
}

/**
 * Whether the scheduler knows the task, queued or running.
 *
 * @example
 * ```ts
 * has(state, 7); // false once it was released or removed
 * ```
 */
export function has(state: SchedulerState, taskIdentifier: number): boolean {
  return asCore(state).tasks.has(taskIdentifier);
}
