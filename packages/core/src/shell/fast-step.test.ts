import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkpointArbitrary, handOverArbitrary, taskRecordArbitrary } from '@bgsession/testing';
import { stepTask } from '../machines/step-task.js';
import { createdTask, drive, ev, t0, taskIn, testEnv, testResponse } from '../machines/task-fixtures.test-helpers.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { fastStep } from './fast-step.js';

const env = testEnv();
const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);

const records: ReadonlyArray<readonly [string, () => TaskRecord]> = [
  ['created', () => createdTask()],
  ['created, not before a date to come', () => createdTask({ options: { earliestBeginDate: t0 + 60_000 } })],
  ['scheduled for a slot', () => taskIn.scheduled()],
  ['scheduled, told it waits for connectivity', () => drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record],
  ['scheduled, waiting for constraints', () => drive(taskIn.scheduled(), [ev.constraintsChanged(false, 'constraints')]).record],
  ['scheduled, relaunched (the notice re-armed)', () => drive(drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record, [ev.relaunched(t0 + 1000)]).record],
  ['scheduled, delegated', () => drive(taskIn.scheduled(), [ev.delegated()]).record],
  ['backingOff', () => taskIn.backingOff()],
  ['backingOff, told it waits', () => drive(taskIn.backingOff(), [ev.constraintsChanged(false)]).record],
  ['connecting', () => taskIn.connecting()],
  ['transferring', () => taskIn.transferring()],
  ['handingOver', () => taskIn.handingOver()],
  ['suspended', () => taskIn.suspended()],
];

const events: ReadonlyArray<readonly [string, TaskEvent]> = [
  ['resume', ev.resume(t0 + 5000)],
  ['offline', ev.constraintsChanged(false, 'connectivity', t0 + 5000)],
  ['constraints unmet', ev.constraintsChanged(false, 'constraints', t0 + 5000)],
  ['constraints met', ev.constraintsChanged(true, 'connectivity', t0 + 5000)],
  ['a slot', ev.slotGranted(t0 + 5000)],
  ['a response head', ev.responseStarted({ now: t0 + 5000 })],
  ['a response head with its checkpoint', ev.responseStarted({ mode: 'fresh', restart: 'ValidatorChanged', checkpoint: ev.bytesDurable(0).checkpoint, now: t0 + 5000 })],
  ['a checkpoint', ev.bytesDurable(700, t0 + 5000)],
  ['the body ended', ev.bodyEnded({ now: t0 + 5000 })],
  ['handed over', { type: 'handedOver', location: '/downloads/file.bin', inStore: false, now: t0 + 5000 }],
  ['cancel', ev.cancel(t0 + 5000)],
];

/** Events of every type `fastStep` takes itself, with drawn values. */
const fastEvents: fc.Arbitrary<TaskEvent> = fc.oneof(
  fc.integer({ min: t0 - 10_000, max: t0 + 10_000 }).map((now): TaskEvent => ({ type: 'resume', now })),
  fc.record({ satisfied: fc.boolean(), reason: fc.constantFrom('connectivity' as const, 'constraints' as const) }).map(({ satisfied, reason }) => ev.constraintsChanged(satisfied, reason, t0 + 1)),
  fc.constant(ev.slotGranted(t0 + 1)),
  fc
    .record({
      mode: fc.constantFrom('append' as const, 'fresh' as const, 'done' as const),
      restart: fc.constantFrom(null, 'ValidatorChanged' as const, 'ServerIgnoredRange' as const),
      expectedLength: fc.option(fc.nat(), { nil: null }),
      checkpoint: fc.option(checkpointArbitrary(), { nil: undefined }),
    })
    .map(({ checkpoint, ...head }) => ev.responseStarted({ ...head, ...(checkpoint === undefined ? {} : { checkpoint }), now: t0 + 1 })),
  checkpointArbitrary().map((checkpoint): TaskEvent => ({ type: 'bytesDurable', checkpoint, now: t0 + 1 })),
  fc.record({ handOver: fc.option(handOverArbitrary(), { nil: null }), received: fc.nat() }).map(({ handOver, received }) => ev.bodyEnded({ handOver, response: handOver === null ? testResponse : null, countOfBytesReceived: received, now: t0 + 1 })),
  fc.record({ location: fc.constantFrom('/downloads/a.bin', 'finished/part-1'), inStore: fc.boolean() }).map(({ location, inStore }): TaskEvent => ({ type: 'handedOver', location, inStore, now: t0 + 1 })),
);

describe('fastStep', () => {
  for (const [recordName, make] of records) {
    it.each(events)(`${recordName}, then %s: the same step as the machine's`, (_, event) => {
      const record = make();
      const fast = fastStep(record, event, env);
      const machine = stepTask(record, event, env);
      expect(fast).toEqual(machine);
      // Told twice in one wait, the app hears it once (semantics section 1, connectivity).
      expect(fastStep(fast.record, event, env).effects).toEqual(stepTask(machine.record, event, env).effects);
    });
  }

  it('for any task record in any phase and any event it takes without the machine, the same step as the machine (record, effects, durability, accepted)', () => {
    fc.assert(
      fc.property(taskRecordArbitrary(), fastEvents, (record, event) => {
        expect(fastStep(record, event, env)).toEqual(stepTask(record, event, env));
      }),
      { numRuns: runs * 5 },
    );
  });

});
