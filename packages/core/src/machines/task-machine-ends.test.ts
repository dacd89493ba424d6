import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';
import { stepTask } from './step-task.js';
import { createdTask, drive, endEvents, ev, t0, taskIn, testEnv, testHandOver, testRequest } from './task-fixtures.test-helpers.js';

/* Cancels, with and without resume data, and what a completed task does with any later event. */

const env = testEnv();
const step = (record: TaskRecord, event: TaskEvent) => stepTask(record, event, env);

/** Every event type, with a plausible payload, to show a phase refuses them all. */
const everyEvent: readonly TaskEvent[] = [
  ev.resume(),
  ev.suspend(),
  ev.cancel(),
  ev.cancelProducingResumeData(),
  ev.slotGranted(),
  ev.constraintsChanged(true),
  ev.constraintsChanged(false),
  ev.resourceTimer(),
  ev.callbackTimer(),
  ev.responseStarted(),
  ev.bytesDurable(100),
  ev.bodyEnded(),
  ev.attemptFailed({ type: 'retryable' }),
  ev.attemptFailed({ type: 'final' }),
  ev.redirected(testRequest('GET', 'https://elsewhere.test/file')),
  ev.callbackAnswered('cancel'),
  ev.delegated(),
  ev.delegationEnded(testHandOver),
  ev.handedOver(),
  ev.handOverFailed(),
  ev.relaunched(),
  ev.credentialsSupplied(),
  ev.credentialsMissing(),
];


describe('cancel and cancelProducingResumeData', () => {
  it('cancel() ends a waiting download cancelled and deletes its partial bytes', () => {
    const result = step(taskIn.scheduled(), ev.cancel(t0 + 2));
    expect(result.record).toMatchObject({ phase: 'cancelled', endedAt: t0 + 2, error: { code: 'Cancelled', resumeData: null } });
    expect(result.durability).toBe('strict');
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'part-1' });
    expect(result.effects).not.toContainEqual({ type: 'produceResumeData' });
    expect(endEvents(result)).toEqual([{ type: 'taskDidComplete', taskIdentifier: 1, error: result.record.error, response: null }]);
  });

  it('cancelProducingResumeData() carries the resume data in the Cancelled error: produceResumeData instead of deleteBytes', () => {
    const result = step(taskIn.suspended(), ev.cancelProducingResumeData('rd-1'));
    expect(result.record).toMatchObject({ phase: 'cancelled', error: { code: 'Cancelled', resumeData: 'rd-1' } });
    expect(result.effects).toContainEqual({ type: 'produceResumeData' });
    expect(result.effects).not.toContainEqual({ type: 'deleteBytes', key: 'part-1' });
    const [complete] = endEvents(result);
    expect(complete).toMatchObject({ type: 'taskDidComplete', error: { resumeData: 'rd-1' } });
  });

  it('cancelProducingResumeData() with nothing kept (null) deletes the bytes like cancel()', () => {
    const result = step(createdTask(), ev.cancelProducingResumeData(null));
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'part-1' });
  });

  it('canceling -> cancelled once the attempt is torn down, the resume data kept through it', () => {
    const canceling = step(taskIn.transferring(), ev.cancelProducingResumeData('rd-2')).record;
    expect(canceling).toMatchObject({ phase: 'canceling', error: { resumeData: 'rd-2' } });
    const result = step(canceling, ev.attemptFailed({ type: 'retryable' }, { now: t0 + 8 }));
    expect(result.record).toMatchObject({ phase: 'cancelled', endedAt: t0 + 8, error: { code: 'Cancelled', resumeData: 'rd-2' } });
    expect(result.effects).toContainEqual({ type: 'produceResumeData' });
    expect(endEvents(result)).toHaveLength(1);
  });

  it('canceling -> cancelled even when the body ends meanwhile: the cancel wins, no success', () => {
    const canceling = step(taskIn.transferring(), ev.cancel()).record;
    const result = step(canceling, ev.bodyEnded());
    expect(result.record.phase).toBe('cancelled');
    expect(endEvents(result).map((event) => event.type)).toEqual(['taskDidComplete']);
  });

  it('canceling -> cancelled on the resource timer (not timedOut: the cancel came first)', () => {
    const canceling = step(taskIn.connecting(), ev.cancel()).record;
    expect(step(canceling, ev.resourceTimer()).record).toMatchObject({ phase: 'cancelled', error: { code: 'Cancelled' } });
  });

  it('cancel() on a canceling task is a no-op that says so', () => {
    expect(step(taskIn.canceling(), ev.cancel()).accepted).toBe(false);
  });

  it('cancel() of a data task deletes its owned body', () => {
    const result = step(taskIn.scheduled({ kind: 'data' }), ev.cancel());
    expect(result.effects).toContainEqual({ type: 'deleteBytes', key: 'body-1' });
    expect(result.effects.some((effect) => effect.type === 'produceResumeData')).toBe(false);
  });
});

describe('completed is final', () => {
  const terminal: Record<string, () => TaskRecord> = {
    succeeded: () => drive(taskIn.handingOver(), [ev.handedOver()]).record,
    failed: () => drive(taskIn.connecting(), [ev.attemptFailed({ type: 'final' })]).record,
    cancelled: () => drive(taskIn.scheduled(), [ev.cancel()]).record,
    timedOut: () => drive(createdTask(), [ev.resourceTimer()]).record,
  };
  for (const [phase, build] of Object.entries(terminal)) {
    it(`${phase} task never changes: every event is refused`, () => {
      const record = build();
      expect(record.phase).toBe(phase as TaskPhase);
      for (const event of everyEvent) {
        expect(step(record, event), event.type).toEqual({ record, effects: [], durability: 'none', accepted: false });
      }
    });
  }
});

