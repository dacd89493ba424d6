import { defaultConfiguration, newTaskRecord, type TaskEnvironment, type TaskEvent, type TaskRecord } from '@bgsession/core';

/** The instant the benchmark's task is created at, ms. */
const t0 = 1_700_000_000_000;
const chunk = 4 * 1024 * 1024;

/** Checkpoints per attempt in the B6.1 cycle: 2 * 8 + 8 = 24 transitions, most of them `bytesDurable`. */
export const cycleCheckpoints = 8;

/** The session environment the benchmark's task runs in: the default retry policy. */
export const benchEnv: TaskEnvironment = { retry: defaultConfiguration.retry };

/**
 * A download just created, phase `created`, with the default options: what `session.download()`
 * builds for a plain URL.
 *
 * @example
 * ```ts
 * stepTask(benchTask(1), { type: 'resume', now: 0 }, benchEnv).record.phase; // 'scheduled'
 * ```
 */
export function benchTask(taskIdentifier: number): TaskRecord {
  return newTaskRecord({
    taskIdentifier,
    kind: 'download',
    request: { url: `https://h${taskIdentifier % 1000}.example/f${taskIdentifier}`, method: 'GET', headers: {} },
    options: {
      timeoutForRequest: defaultConfiguration.timeoutForRequest,
      timeoutForResource: defaultConfiguration.timeoutForResource,
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
      maxDataTaskBytes: defaultConfiguration.maxDataTaskBytes,
    },
    createdAt: t0,
    taskKey: null,
    taskDescription: null,
    body: null,
  });
}

/**
 * The events of one realistic download from `resume` to `handedOver`: an attempt that makes
 * `checkpoints` durable checkpoints and then fails (retryable, so it backs off), a second attempt
 * that appends from the last checkpoint, makes `checkpoints` more and ends, and the hand-over.
 * That is `8 + 2 * checkpoints` events, each accepted. With `checkpoints = 1` it is the lifecycle
 * of benchmark B6.2.
 *
 * @example
 * ```ts
 * lifecycleEvents(1).map((e) => e.type); // ['resume', 'slotGranted', 'responseStarted', 'bytesDurable', 'attemptFailed', ...]
 * ```
 */
export function lifecycleEvents(checkpoints: number): TaskEvent[] {
  const total = 2 * checkpoints * chunk;
  const validator = { type: 'etag', value: '"v1"', weak: false } as const;
  let now = t0;
  let offset = 0;
  const at = () => (now += 10);
  const durable = (): TaskEvent => {
    offset += chunk;
    return { type: 'bytesDurable', checkpoint: { offset, validator, expectedLength: total, bootIdentity: 'boot-1' }, now: at() };
  };
  const events: TaskEvent[] = [
    { type: 'resume', now: at() },
    { type: 'slotGranted', now: at() },
    { type: 'responseStarted', status: 200, mode: 'fresh', restart: null, expectedLength: total, now: at() },
  ];
  for (let i = 0; i < checkpoints; i++) events.push(durable());
  const error = { code: 'ConnectionFailed', message: 'read ECONNRESET', retryable: true, status: null, headers: null, body: null, cause: 'ECONNRESET', bodyMayHaveBeenSent: null, resumeData: null } as const;
  events.push({ type: 'attemptFailed', error, outcome: { type: 'retryable' }, draw: 0.5, retryAfter: null, resumeData: null, now: at() });
  // The backoff of the first retry is at most `base` (1 s): the slot comes after it.
  now += defaultConfiguration.retry.base;
  events.push(
    { type: 'slotGranted', now: at() },
    { type: 'responseStarted', status: 206, mode: 'append', restart: null, expectedLength: total, now: at() },
  );
  for (let i = 0; i < checkpoints; i++) events.push(durable());
  events.push(
    { type: 'bodyEnded', handOver: { size: total, hash: 'sha256-AAAA', target: 'finished-1' }, response: null, countOfBytesReceived: total, countOfBytesSent: 0, now: at() },
    { type: 'handedOver', location: 'finished-1', inStore: true, now: at() },
  );
  return events;
}
