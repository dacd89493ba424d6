import type { WaitReason } from '../model/task-types.js';

/**
 * What the scheduler needs to know about one task that wants a slot.
 *
 * The shell builds it from the task record: `origin` from the current request, `dueAt` from the
 * record's persisted due time, and the network flags already combined with the session's (a task
 * may use an expensive network only if both it and the session allow it).
 *
 * @example
 * ```ts
 * const entry: SchedulerEntry = {
 *   taskIdentifier: 7,
 *   origin: 'https://example.com',
 *   priority: 0.5,
 *   dueAt: null,
 *   allowsExpensiveNetwork: true,
 *   allowsConstrainedNetwork: true,
 *   discretionary: false,
 * };
 * ```
 */
export interface SchedulerEntry {
  /** The task's session-unique identifier. */
  readonly taskIdentifier: number;
  /** The origin of the task's current request (it changes on a redirect: use `updateTask`). */
  readonly origin: string;
  /** 0..1, higher first. */
  readonly priority: number;
  /** Wall-clock ms before which the task may not start (backoff, earliestBegin, storage recheck), or null. */
  readonly dueAt: number | null;
  /** Whether the task may run on an expensive (metered, cellular) network. */
  readonly allowsExpensiveNetwork: boolean;
  /** Whether the task may run on a constrained (low-data mode) network. */
  readonly allowsConstrainedNetwork: boolean;
  /** Runs only on an unmetered, unconstrained network. */
  readonly discretionary: boolean;
}

/**
 * The two concurrency limits of semantics section 1 (invariant #14). Both are positive integers.
 *
 * @example
 * ```ts
 * const limits: SchedulerLimits = { maxConnectionsPerHost: 6, maxConcurrentTasks: 16 };
 * ```
 */
export interface SchedulerLimits {
  /** Attempts that may run at once against one origin. */
  readonly maxConnectionsPerHost: number;
  /** Attempts that may run at once in the session. */
  readonly maxConcurrentTasks: number;
}

/**
 * Tuning that is not part of the session configuration.
 *
 * @example
 * ```ts
 * const options: SchedulerOptions = { agingWindow: 1024 };
 * ```
 */
export interface SchedulerOptions {
  /**
   * How many later arrivals may overtake a task because of their higher priority: a task of
   * priority `p` is overtaken by a later one of priority `q > p` only while fewer than
   * `(q - p) * agingWindow` tasks were added between them. Default {@link defaultAgingWindow}.
   * `Infinity` means strict priority order, which can starve a low-priority task (tests use it to
   * show that invariant #16 can fail).
   */
  readonly agingWindow?: number;
}

/** The default {@link SchedulerOptions.agingWindow}: a task is overtaken by at most 1024 later arrivals. */
export const defaultAgingWindow = 1024;

/**
 * Why a due task cannot start although it wants to: offline, or the network does not meet its
 * constraints; or `slot`: it was reported blocked by the network, the network now allows it, and it
 * waits only for a slot.
 */
export type SchedulerWaitReason = Extract<WaitReason, 'connectivity' | 'constraints' | 'slot'>;

/**
 * What one call to `decide` chose.
 *
 * @example
 * ```ts
 * const decision = decide(state, clock.now(), connectivity.current());
 * for (const id of decision.start) startAttempt(id);
 * if (decision.nextWakeAt !== null) clock.setTimer(decision.nextWakeAt);
 * ```
 */
export interface SchedulerDecision {
  /** Tasks to start now, best first; they count as running until `releaseTask` or `removeTask`. */
  readonly start: readonly number[];
  /** The earliest `dueAt` still in the future among queued tasks, or null: the one timer to arm. */
  readonly nextWakeAt: number | null;
  /**
   * Due tasks that cannot start because of the network, each reported once per wait: again only
   * after it was added or updated anew, or when the reason changed (offline, then online on a
   * network it does not allow). The shell sends `taskIsWaitingForConnectivity` for them. A task
   * reported so whose wait the network ends, and which does not start in the same decision, is
   * reported once more with reason `slot`: it waits for a slot now, and a later block is a new wait.
   */
  readonly waiting: ReadonlyArray<{ readonly taskIdentifier: number; readonly reason: SchedulerWaitReason }>;
}

declare const schedulerStateBrand: unique symbol;

/**
 * The scheduler's queues: which tasks wait for a slot, which hold one, and by origin, priority,
 * constraints and due time. Opaque: read it through `runningCount`, `queuedCount` and `has`.
 *
 * **Owned linearly.** Every function that takes a state returns the state to use next, and the
 * value passed in must not be used again. In practice it is the same object, changed in place:
 * copying queues of 100,000 tasks on every change would cost more than the decisions themselves
 * (benchmark B6). It stays deterministic and does no I/O.
 *
 * @example
 * ```ts
 * let state = createScheduler({ maxConnectionsPerHost: 6, maxConcurrentTasks: 16 });
 * state = addTask(state, entry); // keep only the returned value
 * ```
 */
export interface SchedulerState {
  readonly [schedulerStateBrand]: 'SchedulerState';
}
