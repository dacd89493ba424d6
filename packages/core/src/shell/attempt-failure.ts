import { toPersistedError } from '../codecs/persisted-error-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import { classifyFailure } from '../policy/classify-failure.js';
import { parseRetryAfter } from '../policy/retry-after.js';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { TaskEvent } from '../model/task-events.js';
import type { RestartReason } from '../model/task-types.js';
import { toError } from './http-status-error.js';
import { buildResumeData } from './resume-data-builder.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * The `attemptFailed` event for an attempt that failed: the error classified by semantics section
 * 4 (with what the network and the request allow), a Retry-After the server sent, the Random
 * port's draw for the backoff, and resume data for the kept bytes in case this ends the task.
 * A store that failed ends the session instead (null).
 */
export function failedEvent(runtime: SessionRuntime, id: number, abortReason: BgSessionError | null, error: unknown, responseStarted: boolean): TaskEvent | null {
  // The server's status is its answer, whatever stopped the reading of the error body after it (an
  // idle timeout while a 404's page trickled in is still a 404, final, not a silence to retry).
  const failure = error instanceof BgSessionError && error.code === 'HttpStatus' ? error : (abortReason ?? toError(error));
  if (failure.code === 'StoreFailed') {
    runtime.fail(failure);
    return null;
  }
  const record = runtime.records.get(id);
  if (record === undefined) return null;
  const network = runtime.ports.connectivity.current();
  const outcome = classifyFailure({
    code: failure.code,
    status: failure.status ?? null,
    idempotent: record.options.idempotent,
    requestMayHaveBeenSent: failure.code !== 'DnsFailure' && failure.bodyMayHaveBeenSent !== false,
    // A transport that knows says so on its error; without it the free stale-connection retry of
    // section 4 is not taken.
    reusedConnection: failure.reusedConnection === true,
    responseStarted,
    online: network.online,
    constraintsMet: runtime.queue.constraintsMet(record, network),
  });
  const now = runtime.ports.clock.now();
  const retryAfter = failure.headers === undefined ? null : parseRetryAfter(failure.headers['retry-after'], failure.headers['date'], now);
  return failureEvent(runtime, id, failure, outcome, retryAfter);
}

/** The `attemptFailed` event of a restart from byte 0 (not an error: the reason is in the record). */
export function restartEvent(runtime: SessionRuntime, id: number, reason: RestartReason): TaskEvent {
  return failureEvent(runtime, id, new BgSessionError('ConnectionFailed', `Restarting from byte 0 (${reason}).`), { type: 'restart', reason }, null);
}

function failureEvent(runtime: SessionRuntime, id: number, error: BgSessionError, outcome: AttemptOutcome, retryAfter: number | null): TaskEvent {
  const now = runtime.ports.clock.now();
  const record = runtime.records.get(id);
  return {
    type: 'attemptFailed',
    error: toPersistedError(error),
    outcome,
    draw: runtime.ports.random.next(),
    retryAfter,
    // A restart drops the kept bytes: no resume data points at them.
    resumeData: record === undefined || outcome.type === 'restart' ? null : buildResumeData(runtime, record, now),
    now,
  };
}
