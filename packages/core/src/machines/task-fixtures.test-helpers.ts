import { BgSessionError } from '../errors/bg-session-error.js';
import type { ErrorCode } from '../errors/error-codes.js';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { RetryPolicy } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import type { DurableEventPayload } from '../model/outbox.js';
import type { PersistedError } from '../model/persisted-error.js';
import type { TaskEvent } from '../model/task-events.js';
import type { BodySource, Checkpoint, DataResponse, HandOver, TaskKind, TaskOptions, TaskRecord } from '../model/task-types.js';
import { newTaskRecord } from './new-task-record.js';
import type { TaskEnvironment } from './task-environment.js';
import type { TaskStepResult } from './task-step-result.js';
import { stepTask } from './step-task.js';

/*
 * Test-only fixtures for the task machine's tests: records, events and a driver. Nothing outside
 * `*.test.ts` files may import this file.
 */

/** The wall-clock instant the fixtures' tasks are created at, ms. */
export const t0 = 1_700_000_000_000;

/** The retry policy of the fixtures: the defaults of semantics section 4. */
export const defaultRetry: RetryPolicy = { base: 1000, cap: 600_000, maxAttempts: null };

/** The session environment of the fixtures, with retry policy changes. */
export function testEnv(retry: Partial<RetryPolicy> = {}): TaskEnvironment {
  return { retry: { ...defaultRetry, ...retry } };
}

/** A GET (idempotent) or POST (not) request. */
export function testRequest(method: 'GET' | 'POST' = 'GET', url = 'https://example.test/file'): HttpRequest {
  return { url, method, headers: {} };
}

/** Task options with the configuration defaults; `idempotent` follows the method unless given. */
export function testOptions(patch: Partial<TaskOptions> = {}): TaskOptions {
  return {
    timeoutForRequest: 60_000,
    timeoutForResource: 7 * 24 * 60 * 60 * 1000,
    allowsExpensiveNetwork: true,
    allowsConstrainedNetwork: true,
    discretionary: false,
    priority: 0.5,
    idempotent: true,
    integrity: null,
    earliestBeginDate: null,
    countOfBytesClientExpectsToSend: null,
    countOfBytesClientExpectsToReceive: null,
    destination: null,
    maxDataTaskBytes: 8 * 1024 * 1024,
    ...patch,
  };
}

/** What a fixture task differs in. */
export interface TestTaskInput {
  readonly kind?: TaskKind;
  readonly method?: 'GET' | 'POST';
  readonly options?: Partial<TaskOptions>;
  readonly taskIdentifier?: number;
  /** The request's URL (the test request's by default). */
  readonly url?: string;
  /** Uploads and data tasks default to an owned body of 10 bytes. */
  readonly body?: BodySource | null;
}

/** An owned request body. */
export const ownedBody: BodySource = { ref: 'body-1', owned: true, size: 10, mtimeMs: null, identity: null };

/**
 * A task just created (phase `created`). A POST is non-idempotent unless `options.idempotent` says
 * otherwise.
 */
export function createdTask(input: TestTaskInput = {}): TaskRecord {
  const kind = input.kind ?? 'download';
  const method = input.method ?? (kind === 'download' ? 'GET' : 'POST');
  return newTaskRecord({
    taskIdentifier: input.taskIdentifier ?? 1,
    kind,
    request: testRequest(method, input.url),
    options: testOptions({ idempotent: method !== 'POST', ...input.options }),
    createdAt: t0,
    taskKey: null,
    taskDescription: null,
    body: input.body !== undefined ? input.body : kind === 'download' ? null : ownedBody,
  });
}

/** A persisted error with a code. */
export function testError(code: ErrorCode = 'ConnectionFailed', patch: Partial<PersistedError> = {}): PersistedError {
  return {
    code,
    message: `test ${code}`,
    retryable: code === 'ConnectionFailed',
    status: null,
    headers: null,
    body: null,
    cause: null,
    bodyMayHaveBeenSent: null,
    resumeData: null,
    ...patch,
  };
}

/** A checkpoint at `offset` under a strong ETag. */
export function testCheckpoint(offset: number): Checkpoint {
  return { offset, validator: { type: 'etag', value: '"v1"', weak: false }, expectedLength: 1000, bootIdentity: 'boot-1' };
}

/** The hand-over a finished download records. */
export const testHandOver: HandOver = { size: 1000, hash: 'sha256-AAAA', target: 'store/finished-1' };

/** The response a finished data task records. */
export const testResponse: DataResponse = { status: 200, headers: { 'content-type': 'text/plain' }, bodyKey: 'response-1', bodyLength: 5 };

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

/** Builders for every task event, at `now` (default `t0`). */
export const ev = {
  resume: (now = t0): Ev<'resume'> => ({ type: 'resume', now }),
  suspend: (now = t0): Ev<'suspend'> => ({ type: 'suspend', now }),
  cancel: (now = t0): Ev<'cancel'> => ({ type: 'cancel', now }),
  cancelProducingResumeData: (resumeData: string | null = 'resume-data-1', now = t0): Ev<'cancelProducingResumeData'> => ({
    type: 'cancelProducingResumeData',
    resumeData,
    now,
  }),
  slotGranted: (now = t0): Ev<'slotGranted'> => ({ type: 'slotGranted', now }),
  constraintsChanged: (satisfied: boolean, reason: 'connectivity' | 'constraints' = 'connectivity', now = t0): Ev<'constraintsChanged'> => ({
    type: 'constraintsChanged',
    satisfied,
    reason,
    now,
  }),
  resourceTimer: (now = t0): Ev<'timerFired'> => ({ type: 'timerFired', timer: 'resource', now }),
  callbackTimer: (now = t0): Ev<'timerFired'> => ({ type: 'timerFired', timer: 'callback', now }),
  responseStarted: (patch: Partial<Omit<Ev<'responseStarted'>, 'type'>> = {}): Ev<'responseStarted'> => ({
    type: 'responseStarted',
    status: 200,
    mode: 'fresh',
    restart: null,
    expectedLength: 1000,
    now: t0,
    ...patch,
  }),
  bytesDurable: (offset: number, now = t0): Ev<'bytesDurable'> => ({ type: 'bytesDurable', checkpoint: testCheckpoint(offset), now }),
  bodyEnded: (patch: Partial<Omit<Ev<'bodyEnded'>, 'type'>> = {}): Ev<'bodyEnded'> => ({
    type: 'bodyEnded',
    handOver: testHandOver,
    response: testResponse,
    countOfBytesReceived: 1000,
    countOfBytesSent: 10,
    now: t0,
    ...patch,
  }),
  attemptFailed: (outcome: AttemptOutcome, patch: Partial<Omit<Ev<'attemptFailed'>, 'type' | 'outcome'>> = {}): Ev<'attemptFailed'> => ({
    type: 'attemptFailed',
    outcome,
    error: testError(outcome.type === 'final' ? 'TlsCertificate' : outcome.type === 'diskFull' ? 'DiskFull' : 'ConnectionFailed'),
    draw: 0.5,
    retryAfter: null,
    resumeData: null,
    now: t0,
    ...patch,
  }),
  redirected: (request: HttpRequest, now = t0): Ev<'redirected'> => ({ type: 'redirected', request, now }),
  callbackAnswered: (answer: 'proceed' | 'cancel', now = t0): Ev<'callbackAnswered'> => ({ type: 'callbackAnswered', answer, now }),
  delegated: (now = t0): Ev<'delegated'> => ({ type: 'delegated', now }),
  delegationEnded: (handOver: HandOver | null, error: PersistedError | null = null, now = t0): Ev<'delegationEnded'> => ({
    type: 'delegationEnded',
    handOver,
    error,
    now,
  }),
  handedOver: (location = 'store/finished-1', inStore = true, now = t0): Ev<'handedOver'> => ({ type: 'handedOver', location, inStore, now }),
  handOverFailed: (error: PersistedError = testError('DestinationExists'), now = t0): Ev<'handOverFailed'> => ({
    type: 'handOverFailed',
    error,
    now,
  }),
  relaunched: (now = t0): Ev<'relaunched'> => ({ type: 'relaunched', now }),
  credentialsSupplied: (now = t0): Ev<'credentialsSupplied'> => ({ type: 'credentialsSupplied', now }),
  credentialsMissing: (now = t0): Ev<'credentialsMissing'> => ({ type: 'credentialsMissing', now }),
};

/** What `drive` did: the last record and every step's result. */
export interface Drive {
  readonly record: TaskRecord;
  readonly results: readonly TaskStepResult[];
}

/**
 * Sends `events` in order through `stepTask`. Every one must be accepted: the fixtures build
 * tasks in a given phase the way the shell would, so a refused event is a broken fixture.
 */
export function drive(record: TaskRecord, events: readonly TaskEvent[], env: TaskEnvironment = testEnv()): Drive {
  const results: TaskStepResult[] = [];
  let current = record;
  for (const event of events) {
    const result = stepTask(current, event, env);
    if (!result.accepted) {
      throw new BgSessionError('InvalidArgument', `fixture event ${event.type} refused in phase ${current.phase}`);
    }
    results.push(result);
    current = result.record;
  }
  return { record: current, results };
}

/** Builds a task and drives it to a phase through real events. */
export const taskIn = {
  scheduled: (input: TestTaskInput = {}, env?: TaskEnvironment) => drive(createdTask(input), [ev.resume()], env).record,
  connecting: (input: TestTaskInput = {}, env?: TaskEnvironment) => drive(createdTask(input), [ev.resume(), ev.slotGranted()], env).record,
  transferring: (input: TestTaskInput = {}, env?: TaskEnvironment) =>
    drive(createdTask(input), [ev.resume(), ev.slotGranted(), ev.responseStarted()], env).record,
  backingOff: (input: TestTaskInput = {}, env?: TaskEnvironment) =>
    drive(createdTask(input), [ev.resume(), ev.slotGranted(), ev.attemptFailed({ type: 'retryable' })], env).record,
  canceling: (input: TestTaskInput = {}, env?: TaskEnvironment) =>
    drive(createdTask(input), [ev.resume(), ev.slotGranted(), ev.cancel()], env).record,
  handingOver: (input: TestTaskInput = {}, env?: TaskEnvironment) =>
    drive(createdTask(input), [ev.resume(), ev.slotGranted(), ev.responseStarted(), ev.bodyEnded()], env).record,
  suspended: (input: TestTaskInput = {}, env?: TaskEnvironment) => drive(createdTask(input), [ev.resume(), ev.suspend()], env).record,
};

/** The events of a step's one `end` effect; throws when the step has none, or more than one. */
export function endEvents(result: TaskStepResult): readonly DurableEventPayload[] {
  const ends = result.effects.flatMap((effect) => (effect.type === 'end' ? [effect.events] : []));
  const [events] = ends;
  if (ends.length !== 1 || events === undefined) {
    throw new BgSessionError('InvalidArgument', `expected one end effect, got ${ends.length}`);
  }
  return events;
}
