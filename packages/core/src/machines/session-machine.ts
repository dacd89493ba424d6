import { assign, setup, transition } from 'xstate';
import type { SessionConfiguration } from '../model/configuration.js';
import type { SessionLifecycle } from '../model/store-header.js';

/** Events the session machine accepts. */
export type SessionEvent =
  | { readonly type: 'finishTasksAndInvalidate' }
  | { readonly type: 'invalidateAndCancel' }
  /** No task is scheduled or running any more (sent by the runtime while finishing). */
  | { readonly type: 'tasksDrained' }
  /** A new configuration given at open. */
  | { readonly type: 'configure'; readonly configuration: SessionConfiguration };

/** What the session machine asks the runtime to do. */
export type SessionEffect =
  /** Cancel suspended tasks, keeping download resume data (finishTasksAndInvalidate). */
  | { readonly type: 'cancelSuspendedTasks' }
  /** Cancel every task (invalidateAndCancel). */
  | { readonly type: 'cancelAllTasks' }
  /** Record the durable `sessionDidBecomeInvalid` with the lifecycle change. */
  | { readonly type: 'invalidate' }
  /** Persist the configuration in the store header. */
  | { readonly type: 'storeConfiguration' };

interface SessionContext {
  readonly configuration: SessionConfiguration;
  readonly effects: readonly SessionEffect[];
}

const emit = (...effects: SessionEffect[]) => assign<SessionContext, SessionEvent, undefined, SessionEvent, never>({ effects });

const storeConfiguration = assign<SessionContext, SessionEvent, undefined, SessionEvent, never>(({ event }) => ({
  configuration: (event as Extract<SessionEvent, { type: 'configure' }>).configuration,
  effects: [{ type: 'storeConfiguration' }],
}));

/**
 * The session lifecycle: `active` -> `finishing` -> `invalidated`, plus configuration changes.
 * The outbox and the next task identifier belong to the store, not to this machine.
 *
 * @example
 * ```ts
 * const result = stepSession('active', configuration, { type: 'invalidateAndCancel' });
 * result.lifecycle; // 'finishing'
 * ```
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as { configuration: SessionConfiguration },
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({ configuration: input.configuration, effects: [] }),
  initial: 'active',
  states: {
    active: {
      on: {
        finishTasksAndInvalidate: { target: 'finishing', actions: emit({ type: 'cancelSuspendedTasks' }) },
        invalidateAndCancel: { target: 'finishing', actions: emit({ type: 'cancelAllTasks' }) },
        configure: { actions: storeConfiguration },
      },
    },
    finishing: {
      on: {
        invalidateAndCancel: { actions: emit({ type: 'cancelAllTasks' }) },
        // The configuration given at the latest open governs, even while the session finishes.
        configure: { actions: storeConfiguration },
        tasksDrained: { target: 'invalidated', actions: emit({ type: 'invalidate' }) },
      },
    },
    invalidated: { type: 'final' },
  },
});

/** The result of one session event. */
export interface SessionStepResult {
  readonly lifecycle: SessionLifecycle;
  readonly configuration: SessionConfiguration;
  readonly effects: readonly SessionEffect[];
  readonly accepted: boolean;
}

/**
 * Sends one event to the session lifecycle at rest (as persisted in the store header).
 *
 * @example
 * ```ts
 * stepSession('finishing', configuration, { type: 'tasksDrained' }).effects; // [{ type: 'invalidate' }]
 * ```
 */
export function stepSession(lifecycle: SessionLifecycle, configuration: SessionConfiguration, event: SessionEvent): SessionStepResult {
  const snapshot = sessionMachine.resolveState({ value: lifecycle, context: { configuration, effects: [] } });
  const [next] = transition(sessionMachine, snapshot, event);
  if (next === snapshot) return { lifecycle, configuration, effects: [], accepted: false };
  return {
    lifecycle: next.value as SessionLifecycle,
    configuration: next.context.configuration,
    effects: next.context.effects,
    accepted: true,
  };
}
