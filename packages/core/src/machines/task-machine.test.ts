import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { isTerminalPhase, publicState } from './public-state.js';
import { stepTask } from './step-task.js';
import { taskMachine } from './task-machine.js';
import { createdTask, drive, endEvents, ev, t0, taskIn, testEnv, testError, testHandOver } from './task-fixtures.test-helpers.js';

/*
 * The task machine by phase: the States table of semantics section 2, the phases before an
 * attempt, and the machine driven through XState itself. Attempts in flight are in
 * task-machine-in-flight.test.ts, cancels and ends in task-machine-ends.test.ts, attempt
 * accounting in task-machine-attempts.test.ts, relaunch in relaunch-table.test.ts.
 */

const env = testEnv();
const step = (record: TaskRecord, event: TaskEvent) => stepTask(record, event, env);

describe('the States table of semantics section 2, one row each', () => {
  it('suspended (created, suspended): holds no connection, keeps a download\'s bytes, the resource clock keeps running', () => {
    expect(publicState('created')).toBe('suspended');
    expect(publicState('suspended')).toBe('suspended');
    const suspended = step(taskIn.connecting(), ev.suspend());
    expect(suspended.record.phase).toBe('suspended');
    expect(suspended.effects).toEqual([{ type: 'abortAttempt' }, { type: 'dequeue' }]);
    const timedOut = step(suspended.record, ev.resourceTimer(t0 + 1));
    expect(timedOut.record.phase).toBe('timedOut');
  });

  it('running (scheduled): resumed and waiting, with a reason', () => {
    const scheduled = step(createdTask(), ev.resume());
    expect(publicState(scheduled.record.phase)).toBe('running');
    expect(scheduled.record).toMatchObject({ phase: 'scheduled', reason: 'slot' });
    expect(scheduled.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('running (connecting, transferring): an attempt is in flight', () => {
    const connecting = step(taskIn.scheduled(), ev.slotGranted());
    expect(connecting.record.phase).toBe('connecting');
    expect(connecting.effects).toEqual([{ type: 'startAttempt' }]);
    const transferring = step(connecting.record, ev.responseStarted());
    expect(transferring.record.phase).toBe('transferring');
    expect([publicState('connecting'), publicState('transferring')]).toEqual(['running', 'running']);
  });

  it('running (backingOff): a retryable failure; the next attempt is due at a persisted instant', () => {
    const result = step(taskIn.connecting(), ev.attemptFailed({ type: 'retryable' }, { draw: 0.5, now: t0 + 10 }));
    expect(result.record.phase).toBe('backingOff');
    expect(publicState('backingOff')).toBe('running');
    expect(result.record.dueAt).toBe(t0 + 10 + 500);
    expect(result.durability).toBe('strict');
  });

  it('canceling: cancel asked, the attempt is being torn down', () => {
    const result = step(taskIn.transferring(), ev.cancel());
    expect(result.record.phase).toBe('canceling');
    expect(publicState('canceling')).toBe('canceling');
    expect(result.effects).toEqual([{ type: 'abortAttempt' }]);
    expect(result.effects.some((effect) => effect.type === 'end')).toBe(false);
  });

  it('completed (succeeded, failed, cancelled, timedOut): terminal, error set unless succeeded', () => {
    for (const phase of ['succeeded', 'failed', 'cancelled', 'timedOut'] as const) {
      expect(publicState(phase)).toBe('completed');
      expect(isTerminalPhase(phase)).toBe(true);
    }
    const succeeded = drive(taskIn.handingOver(), [ev.handedOver()]).record;
    expect(succeeded).toMatchObject({ phase: 'succeeded', error: null, endedAt: t0 });
    const failed = step(taskIn.connecting(), ev.attemptFailed({ type: 'final' })).record;
    expect(failed.phase).toBe('failed');
    expect(failed.error?.code).toBe('TlsCertificate');
  });
});

describe('created and suspended', () => {
  it('created -> scheduled (reason slot) on resume, enqueue effect, written lazily', () => {
    const result = step(createdTask(), ev.resume());
    expect(result).toMatchObject({ accepted: true, durability: 'lazy', record: { phase: 'scheduled', reason: 'slot', dueAt: null } });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('created with a future earliestBeginDate -> scheduled (reason earliestBegin) due at that date', () => {
    const begin = t0 + 3_600_000;
    const result = step(createdTask({ options: { earliestBeginDate: begin } }), ev.resume());
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'earliestBegin', dueAt: begin });
  });

  it('created with an earliestBeginDate already past -> scheduled (reason slot), not due later', () => {
    const result = step(createdTask({ options: { earliestBeginDate: t0 - 1 } }), ev.resume());
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot', dueAt: null });
  });

  it('suspend() on a created task is a no-op that says so (accepted: false)', () => {
    const record = createdTask();
    expect(step(record, ev.suspend())).toEqual({ record, effects: [], durability: 'none', accepted: false });
  });

  it('created -> timedOut on the resource timer, with ResourceTimeout', () => {
    const result = step(createdTask(), ev.resourceTimer(t0 + 5));
    expect(result.record).toMatchObject({ phase: 'timedOut', endedAt: t0 + 5, error: { code: 'ResourceTimeout' } });
    expect(result.effects.some((effect) => effect.type === 'abortAttempt')).toBe(false);
  });

  it('created ignores the callback timer (only the resource timer ends a task)', () => {
    expect(step(createdTask(), ev.callbackTimer()).accepted).toBe(false);
  });

  it('scheduled -> suspended on suspend: leaves the queue, aborts nothing', () => {
    const result = step(taskIn.scheduled(), ev.suspend());
    expect(result.record).toMatchObject({ phase: 'suspended', reason: null });
    expect(result.effects).toEqual([{ type: 'dequeue' }]);
  });

  it('suspended -> scheduled on resume', () => {
    const result = step(taskIn.suspended(), ev.resume(t0 + 1));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'slot' });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('suspend() on a suspended task is a no-op that says so', () => {
    expect(step(taskIn.suspended(), ev.suspend()).accepted).toBe(false);
  });

  it('suspended records a checkpoint taken while the aborted attempt was torn down (strict)', () => {
    const suspended = drive(taskIn.transferring(), [ev.suspend()]).record;
    const result = step(suspended, ev.bytesDurable(400));
    expect(result).toMatchObject({ durability: 'strict', record: { phase: 'suspended', checkpoint: { offset: 400 } } });
    expect(result.record.progress.countOfBytesReceived).toBe(400);
  });

  it('a suspended backoff keeps its due time through resume (never earlier)', () => {
    const backingOff = taskIn.backingOff();
    const dueAt = backingOff.dueAt;
    expect(dueAt).not.toBeNull();
    const resumed = drive(backingOff, [ev.suspend(), ev.resume(t0 + 1)]).record;
    expect(resumed).toMatchObject({ phase: 'scheduled', dueAt });
  });
});

describe('scheduled, one test per reason', () => {
  it('scheduled (reason slot) -> connecting on slotGranted, attempt started, startAttempt effect, the start not written on its own', () => {
    const result = step(taskIn.scheduled(), ev.slotGranted());
    expect(result.record).toMatchObject({ phase: 'connecting', reason: null, dueAt: null, attempts: { started: 1, spent: 0, startRecorded: false } });
    expect(result.effects).toEqual([{ type: 'startAttempt' }]);
    expect(result.durability).toBe('deferred');
  });

  it('scheduled (reason slot) -> connecting: a non-idempotent request\'s start is recorded before it is sent, in either durability mode', () => {
    const result = step(taskIn.scheduled({ kind: 'data', method: 'POST' }), ev.slotGranted());
    expect(result.record).toMatchObject({ phase: 'connecting', attempts: { startRecorded: true } });
    expect(result.durability).toBe('always');
  });

  it('scheduled (reason earliestBegin) -> connecting on slotGranted once due', () => {
    const begin = t0 + 1000;
    const waiting = drive(createdTask({ options: { earliestBeginDate: begin } }), [ev.resume()]).record;
    expect(waiting.reason).toBe('earliestBegin');
    const result = step(waiting, ev.slotGranted(begin));
    expect(result.record).toMatchObject({ phase: 'connecting', reason: null, dueAt: null });
  });

  it('scheduled (reason connectivity): tells the app once per wait, back to slot when connectivity returns', () => {
    const first = step(taskIn.scheduled(), ev.constraintsChanged(false, 'connectivity'));
    expect(first.record).toMatchObject({ phase: 'scheduled', reason: 'connectivity', waitingNotified: true });
    expect(first.effects).toEqual([{ type: 'emit', event: { type: 'taskIsWaitingForConnectivity', taskIdentifier: 1 } }]);
    const again = step(first.record, ev.constraintsChanged(false, 'connectivity'));
    expect(again.effects).toEqual([]);
    const back = step(again.record, ev.constraintsChanged(true, 'connectivity'));
    expect(back.record).toMatchObject({ reason: 'slot', waitingNotified: false });
    const nextWait = step(back.record, ev.constraintsChanged(false, 'connectivity'));
    expect(nextWait.effects).toHaveLength(1);
  });

  it('scheduled (reason constraints): waits without telling the app it waits for connectivity', () => {
    const result = step(taskIn.scheduled(), ev.constraintsChanged(false, 'constraints'));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'constraints' });
    expect(result.effects).toEqual([]);
    expect(step(result.record, ev.constraintsChanged(true, 'constraints')).record.reason).toBe('slot');
  });

  it('scheduled (reason storage): disk full waits, due for a re-check in 30 s, bytes kept', () => {
    const result = step(taskIn.connecting(), ev.attemptFailed({ type: 'diskFull' }, { now: t0 + 7 }));
    expect(result.record).toMatchObject({ phase: 'scheduled', reason: 'storage', dueAt: t0 + 7 + 30_000, attempts: { spent: 0 } });
    expect(result.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('scheduled (reason credentials): leaves the queue until credentials are supplied', () => {
    const missing = step(taskIn.scheduled(), ev.credentialsMissing());
    expect(missing.record).toMatchObject({ phase: 'scheduled', reason: 'credentials' });
    expect(missing.effects).toEqual([{ type: 'dequeue' }]);
    const supplied = step(missing.record, ev.credentialsSupplied());
    expect(supplied.record.reason).toBe('slot');
    expect(supplied.effects).toEqual([{ type: 'enqueue' }]);
  });

  it('scheduled (reason delegated): Background Fetch runs it; its hand-over is recorded strict', () => {
    const delegated = step(taskIn.scheduled(), ev.delegated());
    expect(delegated.record).toMatchObject({ phase: 'scheduled', reason: 'delegated' });
    expect(delegated.effects).toEqual([{ type: 'dequeue' }]);
    const ended = step(delegated.record, ev.delegationEnded(testHandOver));
    expect(ended).toMatchObject({ durability: 'strict', record: { phase: 'handingOver', reason: null, handOver: testHandOver } });
    expect(ended.effects).toEqual([{ type: 'handOver' }]);
  });

  it('scheduled (reason delegated) -> failed when Background Fetch fails, with its error', () => {
    const delegated = drive(taskIn.scheduled(), [ev.delegated()]).record;
    const result = step(delegated, ev.delegationEnded(null, testError('ConnectionFailed')));
    expect(result.record).toMatchObject({ phase: 'failed', error: { code: 'ConnectionFailed' } });
    expect(endEvents(result)).toHaveLength(1);
  });

  it('scheduled (reason delegated) refuses constraintsChanged, credentialsSupplied and slotGranted: no second download', () => {
    const delegated = step(taskIn.scheduled(), ev.delegated(t0 + 1)).record;
    expect(delegated.reason).toBe('delegated');
    for (const event of [ev.constraintsChanged(false), ev.constraintsChanged(true), ev.credentialsSupplied(), ev.credentialsMissing(), ev.slotGranted(t0 + 2)]) {
      expect(step(delegated, event), event.type).toEqual({ record: delegated, effects: [], durability: 'none', accepted: false });
    }
  });

  it('delegationEnded applies only to a download whose reason is delegated', () => {
    expect(step(taskIn.scheduled(), ev.delegationEnded(testHandOver)).accepted).toBe(false);
    expect(step(taskIn.scheduled({ kind: 'data' }), ev.delegated()).accepted).toBe(false);
    const delegated = step(taskIn.scheduled(), ev.delegated(t0 + 1)).record;
    expect(step(delegated, ev.delegationEnded(testHandOver, null, t0 + 2)).record.phase).toBe('handingOver');
  });

  it('resume() on a running task is a no-op that says so (accepted: false)', () => {
    for (const record of [taskIn.scheduled(), taskIn.connecting(), taskIn.transferring(), taskIn.backingOff(), taskIn.handingOver()]) {
      const result = step(record, ev.resume(t0 + 1));
      expect(result).toEqual({ record, effects: [], durability: 'none', accepted: false });
    }
  });

  it('scheduled -> cancelled when the app answers taskWillBeginDelayedRequest with cancel', () => {
    const result = step(taskIn.scheduled(), ev.callbackAnswered('cancel'));
    expect(result.record).toMatchObject({ phase: 'cancelled', error: { code: 'Cancelled' } });
  });

  it('scheduled stays waiting when the app answers taskWillBeginDelayedRequest with proceed', () => {
    const record = taskIn.scheduled();
    const result = step(record, ev.callbackAnswered('proceed'));
    expect(result.record).toBe(record);
    expect(result.effects).toEqual([]);
  });
});

describe('the machine through XState directly', () => {
  it('initialTransition starts in created; transition walks resume -> slotGranted; a refused event changes nothing', () => {
    const [initial, initialActions] = initialTransition(taskMachine, { task: createdTask(), env });
    expect(initial.value).toBe('created');
    expect(initial.context.update).toBeNull();
    expect(initialActions).toEqual([]);

    const [scheduled] = transition(taskMachine, initial, ev.resume());
    expect(scheduled.value).toBe('scheduled');
    expect(scheduled.context.update?.effects).toEqual([{ type: 'enqueue' }]);

    // The context keeps the task it was resolved from; the next step starts from the update's task.
    const next = scheduled.context.update?.task ?? createdTask();
    const resolved = taskMachine.resolveState({ value: 'scheduled', context: { task: next, env, update: null } });
    const [connecting] = transition(taskMachine, resolved, ev.slotGranted());
    expect(connecting.value).toBe('connecting');
    expect(connecting.context.update?.effects).toEqual([{ type: 'startAttempt' }]);

    const [same] = transition(taskMachine, connecting, ev.resume());
    expect(same.value).toBe('connecting');
    expect(same.context).toBe(connecting.context);
  });

  it('a final phase resolved from a record is done in XState too', () => {
    const cancelled = drive(taskIn.scheduled(), [ev.cancel()]).record;
    const snapshot = taskMachine.resolveState({ value: cancelled.phase, context: { task: cancelled, env, update: null } });
    expect(snapshot.status).toBe('done');
  });
});
