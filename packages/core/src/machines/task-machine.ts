import { and, assign, setup } from 'xstate';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskUpdate } from './task-update.js';
import * as h from './task-handlers.js';

/** The task machine's context: the record, the session's environment, and the last update. */
export interface TaskMachineContext {
  readonly task: TaskRecord;
  readonly env: TaskEnvironment;
  /** What the transition just taken computed; read by `stepTask`. Null until one is taken. */
  readonly update: TaskUpdate | null;
}

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;
type Handler = (task: TaskRecord, event: TaskEvent, env: TaskEnvironment) => TaskUpdate;

/** Adapts a handler to an XState `assign` that stores its update in the context. */
function apply(handler: Handler) {
  return assign<TaskMachineContext, TaskEvent, undefined, TaskEvent, never>(({ context, event }) => ({
    update: handler(context.task, event, context.env),
  }));
}

const on = {
  resume: apply((t, e) => h.resumeTask(t, e as Ev<'resume'>)),
  suspendIdle: apply((t) => h.suspendTask(t, false)),
  suspendRunning: apply((t) => h.suspendTask(t, true)),
  cancelIdle: apply((t, e) => h.cancelIdleTask(t, e as Ev<'cancel'>)),
  cancelRunning: apply((t, e) => h.cancelRunningTask(t, e as Ev<'cancel'>)),
  finishCancel: apply((t, e) => h.finishCancel(t, e)),
  startAttempt: apply((t) => h.startAttempt(t)),
  noteConstraints: apply((t, e) => h.noteConstraints(t, e as Ev<'constraintsChanged'>)),
  interruptForConstraints: apply((t, e) => h.interruptForConstraints(t, e as Ev<'constraintsChanged'>)),
  timeOutIdle: apply((t, e) => h.timeOut(t, e as Ev<'timerFired'>, false)),
  timeOutRunning: apply((t, e) => h.timeOut(t, e as Ev<'timerFired'>, true)),
  beginBody: apply((t, e) => h.beginBody(t, e as Ev<'responseStarted'>)),
  recordCheckpoint: apply((t, e) => h.recordCheckpoint(t, e as Ev<'bytesDurable'>)),
  beginHandOver: apply((t, e) => h.beginHandOver(t, e as Ev<'bodyEnded'>)),
  finishWithResponse: apply((t, e) => h.finishWithResponse(t, e as Ev<'bodyEnded'>)),
  finishHandOver: apply((t, e) => h.finishHandOver(t, e as Ev<'handedOver'>)),
  failHandOver: apply((t, e) => h.failHandOver(t, e as Ev<'handOverFailed'>)),
  failAttempt: apply((t, e, env) => h.failAttempt(t, e as Ev<'attemptFailed'>, env)),
  followRedirect: apply((t, e) => h.followRedirect(t, e as Ev<'redirected'>)),
  relaunchWaiting: apply((t, e, env) => h.relaunchWaiting(t, e as Ev<'relaunched'>, env)),
  relaunchInterrupted: apply((t) => h.relaunchInterrupted(t)),
  failInterrupted: apply((t, e) => h.failInterrupted(t, e as Ev<'relaunched'>)),
  redoHandOver: apply((t) => h.redoHandOver(t)),
  awaitCredentials: apply((t) => h.awaitCredentials(t)),
  credentialsArrived: apply((t) => h.credentialsArrived(t)),
  delegate: apply((t) => h.delegate(t)),
  endDelegation: apply((t, e) => h.endDelegation(t, e as Ev<'delegationEnded'>)),
};

const decisionOf = (context: TaskMachineContext, event: TaskEvent) =>
  h.accountFailure(context.task, event as Ev<'attemptFailed'>, context.env).decision;

/**
 * The task lifecycle of semantics section 2 as an XState v5 machine. States are the phases; the
 * record is the context. It runs nothing: no `after`, no delays, no invoked actors. Drive it with
 * `stepTask` (or XState's pure `transition`); the effects it asks for come back as data.
 *
 * @example
 * ```ts
 * import { initialTransition, transition } from 'xstate';
 * const snapshot = taskMachine.resolveState({ value: record.phase, context: { task: record, env, update: null } });
 * const [next] = transition(taskMachine, snapshot, { type: 'resume', now: 0 });
 * next.value; // 'scheduled'
 * ```
 */
export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskEvent,
    input: {} as { task: TaskRecord; env: TaskEnvironment },
  },
  guards: {
    isDownload: ({ context }) => context.task.kind === 'download',
    notDelegated: ({ context }) => context.task.reason !== 'delegated',
    maySuspendInFlight: ({ context }) => !(context.task.attempts.startRecorded && !context.task.options.idempotent),
    delegatedDownload: ({ context }) => context.task.reason === 'delegated' && context.task.kind === 'download',
    // A request that may already have reached the server is not torn down by a network change: it
    // ends on its own, and only as semantics section 4 allows (#13).
    mayInterruptForConstraints: ({ context, event }) =>
      !(event as Ev<'constraintsChanged'>).satisfied && !(context.task.attempts.startRecorded && !context.task.options.idempotent),
    isResourceTimer: ({ event }) => (event as Ev<'timerFired'>).timer === 'resource',
    attemptEnds: ({ context, event }) => decisionOf(context, event).type === 'fail',
    attemptWaits: ({ context, event }) => decisionOf(context, event).type === 'wait',
    retryAtOnce: ({ context, event }) => {
      const decision = decisionOf(context, event);
      return decision.type === 'retry' && decision.delay <= 0;
    },
    interruptedNonIdempotent: ({ context }) => !context.task.options.idempotent && context.task.attempts.startRecorded,
    answeredCancel: ({ event }) => (event as Ev<'callbackAnswered'>).answer === 'cancel',
    delegationSucceeded: ({ event }) => (event as Ev<'delegationEnded'>).handOver !== null,
  },
}).createMachine({
  id: 'task',
  // XState builds a throwaway actor (without input) for every pure `transition`; a factory that
  // threw there would cost an Error and its stack trace on every step (B6).
  context: ({ input }) => ({ task: input?.task as TaskRecord, env: input?.env as TaskEnvironment, update: null }),
  initial: 'created',
  states: {
    created: {
      on: {
        resume: { target: 'scheduled', actions: on.resume },
        cancel: { target: 'cancelled', actions: on.cancelIdle },
        cancelProducingResumeData: { target: 'cancelled', actions: on.cancelIdle },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: on.timeOutIdle },
      },
    },
    suspended: {
      on: {
        resume: { target: 'scheduled', actions: on.resume },
        cancel: { target: 'cancelled', actions: on.cancelIdle },
        cancelProducingResumeData: { target: 'cancelled', actions: on.cancelIdle },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: on.timeOutIdle },
        // A checkpoint taken while the attempt that suspend aborted was torn down.
        bytesDurable: { actions: on.recordCheckpoint },
      },
    },
    scheduled: {
      on: {
        // A task delegated to the browser's Background Fetch never starts a second download here.
        slotGranted: { guard: 'notDelegated', target: 'connecting', actions: on.startAttempt },
        suspend: { target: 'suspended', actions: on.suspendIdle },
        cancel: { target: 'cancelled', actions: on.cancelIdle },
        cancelProducingResumeData: { target: 'cancelled', actions: on.cancelIdle },
        constraintsChanged: { guard: 'notDelegated', actions: on.noteConstraints },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: on.timeOutIdle },
        bytesDurable: { actions: on.recordCheckpoint },
        relaunched: { actions: on.relaunchWaiting },
        credentialsMissing: { guard: 'notDelegated', actions: on.awaitCredentials },
        credentialsSupplied: { guard: 'notDelegated', actions: on.credentialsArrived },
        delegated: { guard: 'isDownload', actions: on.delegate },
        delegationEnded: [
          { guard: and(['delegatedDownload', 'delegationSucceeded']), target: 'handingOver', actions: on.endDelegation },
          { guard: 'delegatedDownload', target: 'failed', actions: on.endDelegation },
        ],
        callbackAnswered: { guard: 'answeredCancel', target: 'cancelled', actions: on.cancelIdle },
      },
    },
    backingOff: {
      on: {
        slotGranted: { target: 'connecting', actions: on.startAttempt },
        suspend: { target: 'suspended', actions: on.suspendIdle },
        cancel: { target: 'cancelled', actions: on.cancelIdle },
        cancelProducingResumeData: { target: 'cancelled', actions: on.cancelIdle },
        constraintsChanged: { actions: on.noteConstraints },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: on.timeOutIdle },
        bytesDurable: { actions: on.recordCheckpoint },
        relaunched: { actions: on.relaunchWaiting },
        credentialsMissing: { target: 'scheduled', actions: on.awaitCredentials },
      },
    },
    connecting: {
      on: {
        responseStarted: { target: 'transferring', actions: on.beginBody },
        redirected: { actions: on.followRedirect },
        ...attemptInFlight(),
      },
    },
    transferring: {
      on: {
        bytesDurable: { actions: on.recordCheckpoint },
        bodyEnded: [
          { guard: 'isDownload', target: 'handingOver', actions: on.beginHandOver },
          { target: 'succeeded', actions: on.finishWithResponse },
        ],
        ...attemptInFlight(),
      },
    },
    canceling: {
      on: {
        attemptFailed: { target: 'cancelled', actions: on.finishCancel },
        bodyEnded: { target: 'cancelled', actions: on.finishCancel },
        relaunched: { target: 'cancelled', actions: on.finishCancel },
        timerFired: { guard: 'isResourceTimer', target: 'cancelled', actions: on.finishCancel },
        bytesDurable: { actions: on.recordCheckpoint },
      },
    },
    handingOver: {
      on: {
        handedOver: { target: 'succeeded', actions: on.finishHandOver },
        handOverFailed: { target: 'failed', actions: on.failHandOver },
        relaunched: { actions: on.redoHandOver },
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
    timedOut: { type: 'final' },
  },
});

/** The transitions shared by `connecting` and `transferring`: an attempt is in flight. */
function attemptInFlight() {
  return {
    // Suspending would tear down a request that may have reached the server and send it again on
    // resume (#13): refused, as a no-op that says so. cancel() still ends it.
    suspend: { guard: 'maySuspendInFlight', target: 'suspended', actions: on.suspendRunning },
    cancel: { target: 'canceling', actions: on.cancelRunning },
    cancelProducingResumeData: { target: 'canceling', actions: on.cancelRunning },
    timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: on.timeOutRunning },
    constraintsChanged: { guard: 'mayInterruptForConstraints', target: 'scheduled', actions: on.interruptForConstraints },
    attemptFailed: [
      { guard: 'attemptEnds', target: 'failed', actions: on.failAttempt },
      { guard: 'attemptWaits', target: 'scheduled', actions: on.failAttempt },
      { guard: 'retryAtOnce', target: 'scheduled', actions: on.failAttempt },
      { target: 'backingOff', actions: on.failAttempt },
    ],
    relaunched: [
      { guard: 'interruptedNonIdempotent', target: 'failed', actions: on.failInterrupted },
      { target: 'scheduled', actions: on.relaunchInterrupted },
    ],
  } as const;
}
