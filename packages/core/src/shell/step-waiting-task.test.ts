import { describe, expect, it } from 'vitest';
import { stepTask } from '../machines/step-task.js';
import { drive, ev, t0, taskIn, testEnv } from '../machines/task-fixtures.test-helpers.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { stepWaitingTask } from './step-waiting-task.js';

const env = testEnv();

const records: ReadonlyArray<readonly [string, () => TaskRecord]> = [
  ['scheduled for a slot', () => taskIn.scheduled()],
  ['scheduled, told it waits for connectivity', () => drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record],
  ['scheduled, waiting for constraints', () => drive(taskIn.scheduled(), [ev.constraintsChanged(false, 'constraints')]).record],
  ['scheduled, relaunched (the notice re-armed)', () => drive(drive(taskIn.scheduled(), [ev.constraintsChanged(false)]).record, [ev.relaunched(t0 + 1000)]).record],
  ['scheduled, delegated', () => drive(taskIn.scheduled(), [ev.delegated()]).record],
  ['backingOff', () => taskIn.backingOff()],
  ['backingOff, told it waits', () => drive(taskIn.backingOff(), [ev.constraintsChanged(false)]).record],
  ['connecting', () => taskIn.connecting()],
  ['transferring', () => taskIn.transferring()],
  ['suspended', () => taskIn.suspended()],
];

const events: ReadonlyArray<readonly [string, TaskEvent]> = [
  ['offline', ev.constraintsChanged(false, 'connectivity', t0 + 5000)],
  ['constraints unmet', ev.constraintsChanged(false, 'constraints', t0 + 5000)],
  ['constraints met', ev.constraintsChanged(true, 'connectivity', t0 + 5000)],
  ['a slot', ev.slotGranted(t0 + 5000)],
  ['cancel', ev.cancel(t0 + 5000)],
];

describe('stepWaitingTask', () => {
  for (const [recordName, make] of records) {
    it.each(events)(`${recordName}, then %s: the same step as the machine's`, (_, event) => {
      const record = make();
      const fast = stepWaitingTask(record, event, env);
      const machine = stepTask(record, event, env);
      expect(fast).toEqual(machine);
      // Told twice in one wait, the app hears it once (semantics section 1, connectivity).
      expect(stepWaitingTask(fast.record, event, env).effects).toEqual(stepTask(machine.record, event, env).effects);
    });
  }
});
