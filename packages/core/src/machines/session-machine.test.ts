import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { defaultConfiguration, type SessionConfiguration } from '../model/configuration.js';
import { sessionMachine, stepSession, type SessionEvent } from './session-machine.js';

const configuration: SessionConfiguration = { identifier: 'session-1', ...defaultConfiguration };
const changed: SessionConfiguration = { ...configuration, maxConcurrentTasks: 2, retry: { ...configuration.retry, maxAttempts: 5 } };

const everyEvent: readonly SessionEvent[] = [
  { type: 'finishTasksAndInvalidate' },
  { type: 'invalidateAndCancel' },
  { type: 'tasksDrained' },
  { type: 'configure', configuration: changed },
];

describe('session lifecycle', () => {
  it('active -> finishing on finishTasksAndInvalidate: cancel the suspended tasks (the running ones finish)', () => {
    expect(stepSession('active', configuration, { type: 'finishTasksAndInvalidate' })).toEqual({
      lifecycle: 'finishing',
      configuration,
      effects: [{ type: 'cancelSuspendedTasks' }],
      accepted: true,
    });
  });

  it('active -> finishing on invalidateAndCancel: cancel every task', () => {
    expect(stepSession('active', configuration, { type: 'invalidateAndCancel' })).toEqual({
      lifecycle: 'finishing',
      configuration,
      effects: [{ type: 'cancelAllTasks' }],
      accepted: true,
    });
  });

  it('finishing -> invalidated on tasksDrained, with the invalidate effect', () => {
    expect(stepSession('finishing', configuration, { type: 'tasksDrained' })).toEqual({
      lifecycle: 'invalidated',
      configuration,
      effects: [{ type: 'invalidate' }],
      accepted: true,
    });
  });

  it('finishing: invalidateAndCancel escalates to cancelling every task, still finishing', () => {
    const result = stepSession('finishing', configuration, { type: 'invalidateAndCancel' });
    expect(result).toMatchObject({ lifecycle: 'finishing', effects: [{ type: 'cancelAllTasks' }], accepted: true });
  });

  it('finishing: a second finishTasksAndInvalidate is a no-op that says so', () => {
    expect(stepSession('finishing', configuration, { type: 'finishTasksAndInvalidate' })).toEqual({
      lifecycle: 'finishing',
      configuration,
      effects: [],
      accepted: false,
    });
  });

  it('active: tasksDrained does not invalidate a session nobody asked to finish', () => {
    expect(stepSession('active', configuration, { type: 'tasksDrained' })).toMatchObject({ lifecycle: 'active', effects: [], accepted: false });
  });

  it('configure stores the configuration (active, with a storeConfiguration effect)', () => {
    const result = stepSession('active', configuration, { type: 'configure', configuration: changed });
    expect(result).toEqual({ lifecycle: 'active', configuration: changed, effects: [{ type: 'storeConfiguration' }], accepted: true });
  });

  it('finishing: configure still stores the configuration given at the latest open', () => {
    expect(stepSession('finishing', configuration, { type: 'configure', configuration: changed })).toEqual({
      lifecycle: 'finishing',
      configuration: changed,
      effects: [{ type: 'storeConfiguration' }],
      accepted: true,
    });
  });

  it('invalidated refuses everything', () => {
    for (const event of everyEvent) {
      expect(stepSession('invalidated', configuration, event), event.type).toEqual({
        lifecycle: 'invalidated',
        configuration,
        effects: [],
        accepted: false,
      });
    }
  });

  it('through XState directly: initialTransition is active; finishing then tasksDrained reaches the final state', () => {
    const [active] = initialTransition(sessionMachine, { configuration });
    expect(active.value).toBe('active');
    const [finishing] = transition(sessionMachine, active, { type: 'finishTasksAndInvalidate' });
    expect(finishing.value).toBe('finishing');
    const [invalidated] = transition(sessionMachine, finishing, { type: 'tasksDrained' });
    expect(invalidated.value).toBe('invalidated');
    expect(invalidated.status).toBe('done');
  });
});
