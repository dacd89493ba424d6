import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { TaskEvent } from '../model/task-events.js';
import type { RestartReason, TaskKind, TaskRecord } from '../model/task-types.js';
import { isTerminalPhase } from './public-state.js';
import { stepTask } from './step-task.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskStepResult } from './task-step-result.js';
import { createdTask, ev, t0, testEnv, testError, testHandOver, testRequest, testResponse } from './task-fixtures.test-helpers.js';

const numRuns = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 200);

type Step = (record: TaskRecord, event: TaskEvent, env: TaskEnvironment) => TaskStepResult;

/** A fresh task and the session it lives in. */
interface Scenario {
  readonly record: TaskRecord;
  readonly env: TaskEnvironment;
  readonly events: readonly TaskEvent[];
}

const restartReasons: readonly RestartReason[] = [
  'ServerIgnoredRange',
  'RangeMismatch',
  'ValidatorChanged',
  'WeakValidator',
  'EncodedResponse',
  'RangeNotSatisfiable',
  'NotResumable',
  'IntegrityRestart',
];

const outcomeArb: fc.Arbitrary<AttemptOutcome> = fc.oneof(
  fc.constant({ type: 'retryable' } as const),
  fc.constant({ type: 'final' } as const),
  fc.constantFrom('connectivity', 'constraints').map((reason) => ({ type: 'offline', reason }) as const),
  fc.constant({ type: 'staleConnection' } as const),
  fc.constantFrom(...restartReasons).map((reason) => ({ type: 'restart', reason }) as const),
  fc.constant({ type: 'diskFull' } as const),
);

const drawArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

type Build = (now: number) => TaskEvent;

const attemptFailedArb: fc.Arbitrary<Build> = fc
  .record({
    outcome: outcomeArb,
    draw: drawArb,
    retryAfter: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    resumeData: fc.option(fc.constant('rd-f'), { nil: null }),
  })
  .map((f) => (now) => ev.attemptFailed(f.outcome, { ...f, error: testError(f.outcome.type === 'final' ? 'HttpStatus' : 'ConnectionFailed'), now }));

/** The body's end as the pump reports it: a download's hand-over, or a data or upload task's response. */
const bodyEndedFor =
  (kind: TaskKind): Build =>
  (now) =>
    kind === 'download' ? ev.bodyEnded({ handOver: testHandOver, response: null, now }) : ev.bodyEnded({ handOver: null, response: testResponse, now });

/** Every task event, with a payload the shell could send for a task of this kind. */
function anyEventArb(kind: TaskKind): fc.Arbitrary<Build> {
  const c = (build: Build) => fc.constant(build);
  const arbs: fc.Arbitrary<Build>[] = [
    c((now) => ev.resume(now)),
    c((now) => ev.suspend(now)),
    fc
      .constantFrom<string | null | undefined>(undefined, null, 'rd')
      .map((rd): Build => (now) => (rd === undefined ? ev.cancel(now) : ev.cancelProducingResumeData(rd, now))),
    c((now) => ev.slotGranted(now)),
    fc.tuple(fc.boolean(), fc.constantFrom('connectivity', 'constraints')).map(([ok, why]): Build => (now) => ev.constraintsChanged(ok, why, now)),
    fc.constantFrom('resource', 'callback').map((timer): Build => (now) => ({ type: 'timerFired', timer, now })),
    fc.constantFrom('append', 'fresh', 'done').map((mode): Build => (now) => ev.responseStarted({ mode, restart: mode === 'fresh' ? 'ServerIgnoredRange' : null, now })),
    fc.integer({ min: 0, max: 2000 }).map((offset): Build => (now) => ev.bytesDurable(offset, now)),
    c(bodyEndedFor(kind)),
    attemptFailedArb,
    c((now) => ev.redirected(testRequest('GET', `https://mirror.test/${now}`), now)),
    fc.constantFrom('proceed', 'cancel').map((answer): Build => (now) => ev.callbackAnswered(answer, now)),
    c((now) => ev.relaunched(now)),
    c((now) => ev.credentialsSupplied(now)),
    c((now) => ev.credentialsMissing(now)),
    fc.boolean().map((inStore): Build => (now) => ev.handedOver(inStore ? 'store/finished' : '/dest/file', inStore, now)),
    c((now) => ev.handOverFailed(testError('DestinationExists'), now)),
  ];
  // Background Fetch only ever carries downloads.
  if (kind === 'download') {
    arbs.push(c((now) => ev.delegated(now)));
    arbs.push(fc.boolean().map((ok): Build => (now) => ev.delegationEnded(ok ? testHandOver : null, ok ? null : testError('ConnectionFailed'), now)));
  }
  return fc.oneof(...arbs);
}

/**
 * Chunks of events: a single event of any type, or an attempt (a slot granted, some progress,
 * then how it ends: a failure of any outcome, a host death, the body's end, or any event). The
 * attempts are what take tasks to the deep phases and to every end; the single events land
 * anywhere, in order or not.
 */
function chunkArb(kind: TaskKind): fc.Arbitrary<(now: number) => TaskEvent[]> {
  const any = anyEventArb(kind);
  const finish: Build[] = [bodyEndedFor(kind), (now) => ev.handedOver('store/finished', true, now)];
  const closer: fc.Arbitrary<readonly Build[]> = fc.oneof(
    { weight: 5, arbitrary: attemptFailedArb.map((build) => [build]) },
    { weight: 2, arbitrary: fc.constant<Build[]>([(now) => ev.relaunched(now)]) },
    { weight: 2, arbitrary: fc.constant(finish) },
    { weight: 2, arbitrary: any.map((build) => [build]) },
  );
  const attempt = fc.record({ steps: fc.integer({ min: 0, max: 2 }), closer }).map(
    ({ steps, closer: end }) =>
      (now: number): TaskEvent[] => [
        ev.slotGranted(now),
        ...(steps > 0 ? [ev.responseStarted({ now })] : []),
        ...(steps > 1 ? [ev.bytesDurable(500, now)] : []),
        ...end.map((build) => build(now)),
      ],
  );
  return fc.oneof(
    { weight: 3, arbitrary: any.map((build) => (now: number) => [build(now)]) },
    { weight: 2, arbitrary: attempt },
  );
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    kind: fc.constantFrom<TaskKind>('download', 'data', 'upload'),
    method: fc.constantFrom('GET', 'POST') as fc.Arbitrary<'GET' | 'POST'>,
    markedIdempotent: fc.boolean(),
    earliestBegin: fc.option(fc.integer({ min: -10_000, max: 100_000 }), { nil: null }),
    maxAttempts: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    resumedFirst: fc.boolean(),
  })
  .chain((s) =>
    fc.array(fc.tuple(fc.integer({ min: 1, max: 120_000 }), chunkArb(s.kind)), { minLength: 1, maxLength: 25, size: 'medium' }).map((timed): Scenario => {
      let now = t0;
      const events = [...(s.resumedFirst ? [ev.resume(t0)] : []), ...timed.flatMap(([delta, build]) => build((now += delta)))];
      const idempotent = s.method === 'GET' || s.markedIdempotent;
      const earliestBeginDate = s.earliestBegin === null ? null : t0 + s.earliestBegin;
      return {
        record: createdTask({ kind: s.kind, method: s.method, options: { idempotent, earliestBeginDate } }),
        env: testEnv({ maxAttempts: s.maxAttempts }),
        events,
      };
    }),
  );

type Invariant = '#2' | '#4' | '#13';

/** Sends the scenario's events through `step` and lists every violation of the invariants, by number. */
function violations(step: Step, scenario: Scenario): string[] {
  const found: string[] = [];
  const { env } = scenario;
  const max = env.retry.maxAttempts;
  let record = scenario.record;
  let ends = 0;
  scenario.events.forEach((event, index) => {
    const at = `step ${index} (${event.type} in ${record.phase})`;
    const result = step(record, event, env);
    const next = result.record;
    const endEffects = result.effects.filter((effect) => effect.type === 'end');

    // #2: one end, with each terminal event exactly once.
    ends += endEffects.length;
    if (ends > 1) found.push(`#2 ${at}: a second end effect`);
    const ended = !isTerminalPhase(record.phase) && isTerminalPhase(next.phase);
    if (ended !== endEffects.length > 0) found.push(`#2 ${at}: reached ${next.phase} with ${endEffects.length} end effects`);
    const [end] = endEffects;
    if (end?.type === 'end') {
      const success = next.phase === 'succeeded';
      const expected = success && next.kind === 'download' ? ['downloadDidFinish', 'taskDidComplete'] : ['taskDidComplete'];
      const types = end.events.map((payload) => payload.type);
      if (types.join() !== expected.join()) found.push(`#2 ${at}: end events ${types.join()} for ${next.kind} ${next.phase}`);
      const complete = end.events.find((payload) => payload.type === 'taskDidComplete');
      if (complete?.type === 'taskDidComplete' && (complete.error === null) !== success) found.push(`#2 ${at}: ${next.phase} with error ${complete.error?.code}`);
      if (result.durability !== 'strict' || next.endedAt !== event.now) found.push(`#2 ${at}: end not strict or endedAt not set`);
    }

    // #4: completed is final.
    if (isTerminalPhase(record.phase) && (result.accepted || next !== record || result.effects.length > 0 || result.durability !== 'none')) {
      found.push(`#4 ${at}: a completed task changed (accepted ${result.accepted}, now ${next.phase})`);
    }

    // #13: only what may be retried is retried.
    if (max !== null && next.attempts.spent > max) found.push(`#13 ${at}: ${next.attempts.spent} attempts spent of ${max}`);
    if (max !== null && event.type === 'slotGranted' && result.accepted && record.attempts.spent >= max) {
      found.push(`#13 ${at}: an attempt started with all ${max} spent`);
    }
    const inFlight = record.phase === 'connecting' || record.phase === 'transferring';
    if (inFlight && event.type === 'attemptFailed') {
      if (event.outcome.type === 'final' && (next.phase !== 'failed' || next.error?.code !== event.error.code)) {
        found.push(`#13 ${at}: a final outcome left the task ${next.phase}`);
      }
      if (event.outcome.type !== 'final' && next.phase === 'failed' && (max === null || next.attempts.spent !== max)) {
        found.push(`#13 ${at}: a ${event.outcome.type} outcome failed the task with attempts left`);
      }
    }
    if (inFlight && event.type === 'relaunched') {
      const interrupted = !record.options.idempotent && record.attempts.startRecorded;
      if (interrupted && (next.phase !== 'failed' || next.error?.code !== 'RequestInterrupted' || next.error.bodyMayHaveBeenSent !== true)) {
        found.push(`#13 ${at}: an interrupted non-idempotent request became ${next.phase}`);
      }
      if (!interrupted && (next.phase !== 'scheduled' || next.attempts.spent !== record.attempts.spent)) {
        found.push(`#13 ${at}: an interrupted idempotent request became ${next.phase}, spent ${next.attempts.spent}`);
      }
    }
    if (!result.accepted && (next !== record || result.effects.length > 0)) found.push(`#4 ${at}: a refused event changed the task`);
    record = next;
  });
  return found;
}

const only = (invariant: Invariant, found: readonly string[]) => found.filter((v) => v.startsWith(`${invariant} `));

describe('task machine properties', () => {
  it('#2 one end: a task reaches completed at most once and its end effect carries each terminal event exactly once', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        expect(only('#2', violations(stepTask, scenario))).toEqual([]);
      }),
      { numRuns },
    );
  });

  it('#4 completed is final: no event changes a completed task', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        expect(only('#4', violations(stepTask, scenario))).toEqual([]);
      }),
      { numRuns },
    );
  });

  it('#13 only what may be retried is retried: a final outcome ends the task, attempts never exceed maxAttempts, and a non-idempotent request interrupted by a host death fails with RequestInterrupted', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        expect(only('#13', violations(stepTask, scenario))).toEqual([]);
      }),
      { numRuns },
    );
  });

  it('the sequences reach every end (so the properties above are exercised, not vacuous)', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        let record = scenario.record;
        for (const event of scenario.events) record = stepTask(record, event, scenario.env).record;
        reached.add(record.phase);
      }),
      { numRuns: Math.max(numRuns, 200), seed: 42 },
    );
    for (const phase of ['succeeded', 'failed', 'cancelled', 'timedOut']) expect(reached).toContain(phase);
  });

  it('planted bug: a step that lets resume revive a cancelled task is reported as a #4 violation', () => {
    const buggy: Step = (record, event, env) =>
      record.phase === 'cancelled' && event.type === 'resume'
        ? { record: { ...record, phase: 'scheduled', reason: 'slot' }, effects: [{ type: 'enqueue' }], durability: 'lazy', accepted: true }
        : stepTask(record, event, env);
    const revived: Scenario = { record: createdTask(), env: testEnv(), events: [ev.cancel(t0 + 1), ev.resume(t0 + 2), ev.cancel(t0 + 3)] };
    expect(only('#4', violations(buggy, revived))).toHaveLength(1);
    // The revived task ends a second time: #2 sees it too.
    expect(only('#2', violations(buggy, revived)).length).toBeGreaterThan(0);
    const details = fc.check(
      fc.property(scenarioArb, (scenario) => only('#4', violations(buggy, scenario)).length === 0),
      { numRuns, seed: 7, examples: [[revived]] },
    );
    expect(details.failed).toBe(true);
  });
});
