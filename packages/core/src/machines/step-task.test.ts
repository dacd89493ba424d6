import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskPhase } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { createdTask, ev, t0, testEnv, testError, testHandOver } from './task-fixtures.test-helpers.js';
import { taskMachine } from './task-machine.js';

const events = (now: number): readonly TaskEvent[] => [
  ev.resume(now),
  ev.suspend(now),
  ev.slotGranted(now),
  ev.responseStarted({ now }),
  ev.bytesDurable(1000, now),
  ev.attemptFailed({ type: 'retryable' }, { now, draw: 0.5 }),
  ev.attemptFailed({ type: 'final' }, { now, error: testError('HttpStatus') }),
  ev.constraintsChanged(false, 'connectivity', now),
  ev.bodyEnded({ handOver: testHandOver, now }),
  ev.handedOver('/downloads/a', false, now),
  ev.cancel(now),
  ev.relaunched(now),
  ev.resourceTimer(now),
];

describe('stepTask', () => {
  it('agrees with XState\'s own pure transition() on every step of random event sequences', () => {
    const env = testEnv();
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 12 }), { maxLength: 30 }), (picks) => {
        let record = createdTask();
        picks.forEach((pick, i) => {
          const event = events(t0 + i)[pick]!;
          const snapshot = taskMachine.resolveState({ value: record.phase, context: { task: record, env, update: null } });
          const [viaXState] = transition(taskMachine, snapshot, event);
          const result = stepTask(record, event, env);
          expect(result.accepted).toBe(viaXState.context.update !== null);
          if (result.accepted) {
            expect(result.record.phase).toBe(viaXState.value as TaskPhase);
            expect(result.effects).toEqual(viaXState.context.update?.effects);
          }
          record = result.record;
        });
      }),
      { numRuns: Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100) },
    );
  });
});
