import type { TaskEvent, TaskKind } from '@bgsession/core';
import { assign, setup } from 'xstate';

/**
 * The small context of the baselines: what a task machine needs at the least, without the record
 * bgsession persists.
 */
export interface BareContext {
  readonly kind: TaskKind;
  readonly attempts: number;
  readonly offset: number;
  readonly dueAt: number | null;
  readonly waiting: boolean;
  readonly endedAt: number | null;
}

/** A download just created, in the baselines' terms. */
export const bareInitialContext: BareContext = { kind: 'download', attempts: 0, offset: 0, dueAt: null, waiting: false, endedAt: null };

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

const end = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ event }) => ({ endedAt: event.now, dueAt: null }));
const wait = assign<BareContext, TaskEvent, undefined, TaskEvent, never>({ waiting: true });
const start = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ context }) => ({ attempts: context.attempts + 1, dueAt: null, waiting: false }));
const checkpoint = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ event }) => ({ offset: (event as Ev<'bytesDurable'>).checkpoint.offset }));
const body = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ context, event }) => ({ offset: (event as Ev<'responseStarted'>).mode === 'fresh' ? 0 : context.offset }));
const backOff = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ context, event }) => ({ dueAt: event.now + 1000 * 2 ** context.attempts }));
const received = assign<BareContext, TaskEvent, undefined, TaskEvent, never>(({ event }) => ({ offset: (event as Ev<'bodyEnded'>).countOfBytesReceived }));
const outcomeOf = (event: TaskEvent) => (event as Ev<'attemptFailed'>).outcome.type;

/**
 * B6's baseline: a bare XState v5 machine with the task machine's states and transitions (the
 * same state names, events, targets and branch order), whose actions assign a small context and
 * whose guards read only the event or that context. What it costs is what XState itself costs.
 *
 * @example
 * ```ts
 * const snapshot = bareTaskMachine.resolveState({ value: 'created', context: bareInitialContext });
 * transition(bareTaskMachine, snapshot, { type: 'resume', now: 0 })[0].value; // 'scheduled'
 * ```
 */
export const bareTaskMachine = setup({
  types: { context: {} as BareContext, events: {} as TaskEvent },
  guards: {
    isDownload: ({ context }) => context.kind === 'download',
    isResourceTimer: ({ event }) => (event as Ev<'timerFired'>).timer === 'resource',
    attemptEnds: ({ event }) => outcomeOf(event) === 'final',
    attemptWaits: ({ event }) => outcomeOf(event) === 'offline' || outcomeOf(event) === 'diskFull',
    retryAtOnce: ({ event }) => outcomeOf(event) === 'staleConnection',
    mayInterrupt: ({ event }) => !(event as Ev<'constraintsChanged'>).satisfied,
    answeredCancel: ({ event }) => (event as Ev<'callbackAnswered'>).answer === 'cancel',
    delegationSucceeded: ({ event }) => (event as Ev<'delegationEnded'>).handOver !== null,
  },
}).createMachine({
  id: 'bareTask',
  context: bareInitialContext,
  initial: 'created',
  states: {
    created: {
      on: {
        resume: { target: 'scheduled', actions: wait },
        cancel: { target: 'cancelled', actions: end },
        cancelProducingResumeData: { target: 'cancelled', actions: end },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: end },
      },
    },
    suspended: {
      on: {
        resume: { target: 'scheduled', actions: wait },
        cancel: { target: 'cancelled', actions: end },
        cancelProducingResumeData: { target: 'cancelled', actions: end },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: end },
        bytesDurable: { actions: checkpoint },
      },
    },
    scheduled: {
      on: {
        slotGranted: { target: 'connecting', actions: start },
        suspend: { target: 'suspended', actions: wait },
        cancel: { target: 'cancelled', actions: end },
        cancelProducingResumeData: { target: 'cancelled', actions: end },
        constraintsChanged: { actions: wait },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: end },
        bytesDurable: { actions: checkpoint },
        relaunched: { actions: wait },
        credentialsMissing: { actions: wait },
        credentialsSupplied: { actions: wait },
        delegated: { guard: 'isDownload', actions: wait },
        delegationEnded: [
          { guard: 'delegationSucceeded', target: 'handingOver', actions: received },
          { target: 'failed', actions: end },
        ],
        callbackAnswered: { guard: 'answeredCancel', target: 'cancelled', actions: end },
      },
    },
    backingOff: {
      on: {
        slotGranted: { target: 'connecting', actions: start },
        suspend: { target: 'suspended', actions: wait },
        cancel: { target: 'cancelled', actions: end },
        cancelProducingResumeData: { target: 'cancelled', actions: end },
        constraintsChanged: { actions: wait },
        timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: end },
        bytesDurable: { actions: checkpoint },
        relaunched: { actions: wait },
      },
    },
    connecting: {
      on: {
        responseStarted: { target: 'transferring', actions: body },
        redirected: { actions: wait },
        ...inFlight(),
      },
    },
    transferring: {
      on: {
        bytesDurable: { actions: checkpoint },
        bodyEnded: [
          { guard: 'isDownload', target: 'handingOver', actions: received },
          { target: 'succeeded', actions: end },
        ],
        ...inFlight(),
      },
    },
    canceling: {
      on: {
        attemptFailed: { target: 'cancelled', actions: end },
        bodyEnded: { target: 'cancelled', actions: end },
        relaunched: { target: 'cancelled', actions: end },
        timerFired: { guard: 'isResourceTimer', target: 'cancelled', actions: end },
        bytesDurable: { actions: checkpoint },
      },
    },
    handingOver: {
      on: {
        handedOver: { target: 'succeeded', actions: end },
        handOverFailed: { target: 'failed', actions: end },
        relaunched: { actions: wait },
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
    timedOut: { type: 'final' },
  },
});

function inFlight() {
  return {
    suspend: { target: 'suspended', actions: wait },
    cancel: { target: 'canceling', actions: wait },
    cancelProducingResumeData: { target: 'canceling', actions: wait },
    timerFired: { guard: 'isResourceTimer', target: 'timedOut', actions: end },
    constraintsChanged: { guard: 'mayInterrupt', target: 'scheduled', actions: wait },
    attemptFailed: [
      { guard: 'attemptEnds', target: 'failed', actions: end },
      { guard: 'attemptWaits', target: 'scheduled', actions: wait },
      { guard: 'retryAtOnce', target: 'scheduled', actions: wait },
      { target: 'backingOff', actions: backOff },
    ],
    relaunched: [{ target: 'scheduled', actions: wait }],
  } as const;
}
