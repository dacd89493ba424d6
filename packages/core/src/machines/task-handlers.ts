import { accountAttempt } from '../policy/attempt-accounting.js';
import type { TaskEffect } from '../model/task-effects.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { machineError } from './task-errors.js';
import { endWithError, endWithFile, endWithResponse } from './task-end.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskUpdate } from './task-update.js';

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

/*
 * The pure updates behind each transition of the task machine. The machine (task-machine.ts) picks
 * the target phase with guards; these compute everything else. They never read a clock or draw a
 * random number: `now` and `draw` arrive in the events.
 */

const lazy = (task: TaskRecord, effects: readonly TaskEffect[] = []): TaskUpdate => ({ task, effects, durability: 'lazy' });

const waitingEffect = (task: TaskRecord): TaskEffect => ({
  type: 'emit',
  event: { type: 'taskIsWaitingForConnectivity', taskIdentifier: task.taskIdentifier },
});

/** created/suspended -> scheduled: wait for a slot (or for earliestBeginDate, which is never clamped). */
export function resumeTask(task: TaskRecord, event: Ev<'resume'>): TaskUpdate {
  const begin = task.options.earliestBeginDate;
  const waitsForBegin = begin !== null && begin > event.now && task.attempts.started === 0;
  const dueAt = waitsForBegin ? Math.max(begin, task.dueAt ?? 0) : task.dueAt;
  return lazy({ ...task, reason: waitsForBegin ? 'earliestBegin' : 'slot', dueAt, waitingNotified: false }, [{ type: 'enqueue' }]);
}

/** -> suspended: the task leaves the queue; an attempt in flight is torn down (its bytes are kept). */
export function suspendTask(task: TaskRecord, inFlight: boolean): TaskUpdate {
  const effects: TaskEffect[] = inFlight ? [{ type: 'abortAttempt' }, { type: 'dequeue' }] : [{ type: 'dequeue' }];
  return lazy({ ...task, reason: null }, effects);
}

/** cancel before any attempt runs: the task ends at once. */
export function cancelIdleTask(task: TaskRecord, event: Ev<'cancel' | 'cancelProducingResumeData'>): TaskUpdate {
  return endWithError(task, event.now, cancelError(event), false);
}

/** cancel while an attempt runs: -> canceling until the attempt is torn down. */
export function cancelRunningTask(task: TaskRecord, event: Ev<'cancel' | 'cancelProducingResumeData'>): TaskUpdate {
  return lazy({ ...task, reason: null, error: cancelError(event) }, [{ type: 'abortAttempt' }]);
}

function cancelError(event: Ev<'cancel' | 'cancelProducingResumeData'>) {
  const resumeData = event.type === 'cancelProducingResumeData' ? event.resumeData : null;
  return machineError('Cancelled', 'The task was cancelled.', { resumeData });
}

/** canceling -> cancelled, once the attempt is gone (or the host died meanwhile). */
export function finishCancel(task: TaskRecord, event: TaskEvent): TaskUpdate {
  const error = task.error ?? machineError('Cancelled', 'The task was cancelled.');
  return endWithError(task, event.now, error, false);
}

/** scheduled/backingOff -> connecting: the scheduler granted a slot. */
export function startAttempt(task: TaskRecord): TaskUpdate {
  const attempts = {
    ...task.attempts,
    started: task.attempts.started + 1,
    madeProgress: false,
    startRecorded: !task.options.idempotent,
  };
  return {
    task: { ...task, reason: null, dueAt: null, waitingNotified: false, attempts },
    effects: [{ type: 'startAttempt' }],
    // The start of a non-idempotent request must be durable before it can reach the server, in
    // either durability mode, so a relaunch knows it may have been processed (relaunch table). An
    // idempotent one is not written on its own: a relaunch turns a `connecting` idempotent task back
    // into `scheduled` with no attempt spent anyway (ADR 16).
    durability: task.options.idempotent ? 'deferred' : 'always',
  };
}

/** While waiting: the network changed. Tell the app once per wait that it waits for connectivity. */
export function noteConstraints(task: TaskRecord, event: Ev<'constraintsChanged'>): TaskUpdate {
  // A task backing off keeps `reason: null` (reasons belong to `scheduled`); it still tells the app
  // once per wait that it waits for connectivity.
  const backingOff = task.phase === 'backingOff';
  if (event.satisfied) {
    const waiting = task.reason === 'connectivity' || task.reason === 'constraints';
    return lazy({ ...task, reason: waiting && !backingOff ? 'slot' : task.reason, waitingNotified: false });
  }
  const notify = event.reason === 'connectivity' && !task.waitingNotified;
  return lazy(
    { ...task, reason: backingOff ? null : event.reason, waitingNotified: task.waitingNotified || notify },
    notify ? [waitingEffect(task)] : [],
  );
}

/** connecting/transferring -> scheduled: the network stopped meeting the constraints. Nothing spent. */
export function interruptForConstraints(task: TaskRecord, event: Ev<'constraintsChanged'>): TaskUpdate {
  // Only a `satisfied: false` change interrupts (the machine's guard): the other one keeps the reason.
  const reason = event.satisfied ? (task.reason ?? 'constraints') : event.reason;
  const notify = reason === 'connectivity' && !task.waitingNotified;
  const effects: TaskEffect[] = [{ type: 'abortAttempt' }, { type: 'enqueue' }];
  if (notify) effects.push(waitingEffect(task));
  return lazy({ ...task, reason, waitingNotified: task.waitingNotified || notify }, effects);
}

/**
 * The resource deadline passed: the task ends `timedOut` (invariant #11). A download keeps its
 * bytes for the resume data the event carries (semantics section 2: a non-retryable failure after
 * valid bytes carries resume data).
 */
export function timeOut(task: TaskRecord, event: Ev<'timerFired'>, inFlight: boolean): TaskUpdate {
  const resumeData = task.kind === 'download' ? (event.resumeData ?? null) : null;
  const error = machineError('ResourceTimeout', 'The task outlived timeoutForResource.', { resumeData });
  return endWithError(task, event.now, error, inFlight);
}

/**
 * connecting -> transferring: the response head arrived and the pump chose how to write the body.
 * Lazy, unless it carries a checkpoint the first new byte must come after (strict).
 */
export function beginBody(task: TaskRecord, event: Ev<'responseStarted'>): TaskUpdate {
  const fresh = event.mode === 'fresh';
  const next: TaskRecord = {
    ...task,
    lastRestart: event.restart ?? task.lastRestart,
    fetchedFromZero: fresh ? true : event.mode === 'append' ? (task.checkpoint?.offset ?? 0) === 0 : task.fetchedFromZero,
    checkpoint: event.checkpoint ?? (fresh ? null : task.checkpoint),
    suggestedName: fresh ? (event.suggestedName ?? null) : task.suggestedName,
    progress: {
      ...task.progress,
      countOfBytesReceived: event.checkpoint?.offset ?? (fresh ? 0 : task.progress.countOfBytesReceived),
      countOfBytesExpectedToReceive: event.expectedLength ?? -1,
    },
  };
  return event.checkpoint === undefined ? lazy(next) : { task: next, effects: [], durability: 'strict' };
}

/** A checkpoint is durable: record it (strict), and note the progress for attempt accounting. */
export function recordCheckpoint(task: TaskRecord, event: Ev<'bytesDurable'>): TaskUpdate {
  const before = task.checkpoint?.offset ?? 0;
  const progressed = event.checkpoint.offset > before;
  const attempts = progressed
    ? { ...task.attempts, madeProgress: true, restartsInARow: 0, staleRetryUsed: false }
    : task.attempts;
  return {
    task: {
      ...task,
      checkpoint: event.checkpoint,
      attempts,
      progress: {
        ...task.progress,
        countOfBytesReceived: event.checkpoint.offset,
        countOfBytesSent: event.countOfBytesSent ?? task.progress.countOfBytesSent,
      },
    },
    effects: [],
    durability: 'strict',
  };
}

/** transferring -> handingOver: the size and hash are recorded before the rename (durable step). */
export function beginHandOver(task: TaskRecord, event: Ev<'bodyEnded'>): TaskUpdate {
  return {
    task: {
      ...task,
      handOver: event.handOver,
      progress: { ...task.progress, countOfBytesReceived: event.countOfBytesReceived, countOfBytesSent: event.countOfBytesSent },
    },
    effects: [{ type: 'handOver' }],
    durability: 'strict',
  };
}

/** transferring -> succeeded for data and upload tasks. */
export function finishWithResponse(task: TaskRecord, event: Ev<'bodyEnded'>): TaskUpdate {
  const progress = { ...task.progress, countOfBytesReceived: event.countOfBytesReceived, countOfBytesSent: event.countOfBytesSent };
  return endWithResponse({ ...task, response: event.response, progress }, event.now);
}

/** handingOver -> succeeded. */
export function finishHandOver(task: TaskRecord, event: Ev<'handedOver'>): TaskUpdate {
  return endWithFile(task, event.now, event.location, event.inStore);
}

/**
 * handingOver -> failed (the destination exists, or the file system refused). Every byte came and
 * was synced before the hand-over was recorded: resume data the shell built keeps the whole file
 * (semantics section 2), its checkpoint at the recorded size. Without a checkpoint nothing can own
 * the bytes, and they go.
 */
export function failHandOver(task: TaskRecord, event: Ev<'handOverFailed'>): TaskUpdate {
  const { checkpoint, handOver } = task;
  if (event.error.resumeData === null || checkpoint === null || handOver === null) {
    return endWithError(task, event.now, { ...event.error, resumeData: null }, false);
  }
  const kept: TaskRecord = {
    ...task,
    checkpoint: { ...checkpoint, offset: handOver.size },
    progress: { ...task.progress, countOfBytesReceived: handOver.size },
  };
  return endWithError(kept, event.now, event.error, false);
}

/** Applies the attempt-accounting table of semantics section 4 to a failed attempt. */
export function accountFailure(task: TaskRecord, event: Ev<'attemptFailed'>, env: TaskEnvironment) {
  return accountAttempt({
    account: task.attempts,
    outcome: event.outcome,
    retry: env.retry,
    draw: event.draw,
    retryAfter: event.retryAfter,
  });
}

/** An attempt failed: end, wait, or retry (at once or after a persisted backoff). */
export function failAttempt(task: TaskRecord, event: Ev<'attemptFailed'>, env: TaskEnvironment): TaskUpdate {
  const { account, decision } = accountFailure(task, event, env);
  if (decision.type === 'fail') {
    const resumeData = task.kind === 'download' ? event.resumeData : null;
    return endWithError({ ...task, attempts: account }, event.now, { ...event.error, resumeData }, false);
  }
  const effects: TaskEffect[] = [];
  let next: TaskRecord = { ...task, attempts: account, error: null };
  if (event.outcome.type === 'restart') {
    // Restarting from 0 drops the kept bytes first, so no later attempt can append to them.
    if (task.partKey !== null) effects.push({ type: 'deleteBytes', key: task.partKey });
    next = {
      ...next,
      checkpoint: null,
      lastRestart: event.outcome.reason,
      integrityRestartUsed: task.integrityRestartUsed || event.outcome.reason === 'IntegrityRestart',
      progress: { ...next.progress, countOfBytesReceived: 0 },
    };
  }
  if (decision.type === 'wait') {
    const notify = decision.reason === 'connectivity' && !task.waitingNotified;
    effects.push({ type: 'enqueue' });
    if (notify) effects.push(waitingEffect(task));
    const dueAt = decision.recheckAfter === null ? null : event.now + decision.recheckAfter;
    return lazy({ ...next, reason: decision.reason, dueAt, waitingNotified: task.waitingNotified || notify }, effects);
  }
  effects.push({ type: 'enqueue' });
  if (decision.delay <= 0) return lazy({ ...next, reason: 'slot', dueAt: null }, effects);
  // The due time is persisted durably: a relaunch must never start the next attempt earlier (#12).
  return { task: { ...next, reason: null, dueAt: event.now + decision.delay }, effects, durability: 'strict' };
}

/** The current request changed (redirect): later attempts, and the origin limits, use it. */
export function followRedirect(task: TaskRecord, event: Ev<'redirected'>): TaskUpdate {
  return lazy({ ...task, currentRequest: event.request, redirectCount: task.redirectCount + 1 });
}

/** Relaunch of a waiting task: due times are re-armed, never earlier, clamped if the clock went back. */
export function relaunchWaiting(task: TaskRecord, event: Ev<'relaunched'>, env: TaskEnvironment): TaskUpdate {
  if (task.reason === 'delegated') return lazy(task);
  let dueAt = task.dueAt;
  // Every due time but earliestBeginDate is a backoff, a Retry-After or a storage re-check, also
  // one that suspend and resume carried into `scheduled`: all are clamped if the clock went back.
  const clampable = task.reason !== 'earliestBegin';
  if (clampable && dueAt !== null && dueAt > event.now + env.retry.cap) dueAt = event.now + env.retry.cap;
  const reason = task.phase === 'backingOff' ? null : task.reason === 'earliestBegin' || task.reason === 'storage' ? task.reason : 'slot';
  return lazy({ ...task, dueAt, reason, waitingNotified: false }, [{ type: 'enqueue' }]);
}

/** Relaunch of an attempt cut by the host's death: an idempotent request simply waits again. */
export function relaunchInterrupted(task: TaskRecord): TaskUpdate {
  return lazy({ ...task, reason: 'slot', dueAt: null, waitingNotified: false }, [{ type: 'enqueue' }]);
}

/** Relaunch of a non-idempotent request whose start was recorded: it may have been processed. */
export function failInterrupted(task: TaskRecord, event: Ev<'relaunched'>): TaskUpdate {
  const error = machineError('RequestInterrupted', 'The host died during a non-idempotent request.', { bodyMayHaveBeenSent: true });
  return endWithError(task, event.now, error, false);
}

/** Relaunch in handingOver: finish the hand-over (the shell checks whether the rename happened). */
export function redoHandOver(task: TaskRecord): TaskUpdate {
  return lazy(task, [{ type: 'handOver' }]);
}

/** A sensitive header is needed and nobody supplied it: wait with reason `credentials`. */
export function awaitCredentials(task: TaskRecord): TaskUpdate {
  return lazy({ ...task, reason: 'credentials' }, [{ type: 'dequeue' }]);
}

/** Credentials arrived: back to waiting for a slot. */
export function credentialsArrived(task: TaskRecord): TaskUpdate {
  return lazy({ ...task, reason: 'slot' }, [{ type: 'enqueue' }]);
}

/** Handed to the browser's Background Fetch: the scheduler no longer runs it. */
export function delegate(task: TaskRecord): TaskUpdate {
  return lazy({ ...task, reason: 'delegated' }, [{ type: 'dequeue' }]);
}

/** Background Fetch finished: record its hand-over (durable), or its error. */
export function endDelegation(task: TaskRecord, event: Ev<'delegationEnded'>): TaskUpdate {
  if (event.handOver !== null) {
    return { task: { ...task, reason: null, handOver: event.handOver }, effects: [{ type: 'handOver' }], durability: 'strict' };
  }
  return endWithError(task, event.now, event.error ?? machineError('ConnectionFailed', 'Background Fetch failed.'), false);
}
