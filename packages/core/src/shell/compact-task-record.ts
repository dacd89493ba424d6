import { deepEqual } from '../codecs/plain-object.js';
import type { HttpRequest } from '../model/http.js';
import { restartReasons, taskKinds, taskPhases, waitReasons, type TaskRecord } from '../model/task-types.js';
import { RecordSharing } from './record-sharing.js';

/**
 * The same record as an object literal, its parts shared with the other records of the open.
 * Decoders build records one keyed store at a time, and V8 turns an object given that many
 * properties that way into a dictionary: about 1.6 KiB per record instead of a fixed shape shared
 * by every record (B5: 100,000 queued tasks held after a relaunch). A literal has that shape; the
 * compiler sees to it that it names every field. Equal options, attempt accounts, progress, header
 * maps and errors are one object for all the records decoded with the same `sharing` (a decoder
 * makes one per record), and the enumerated strings are the model's own constants (JSON.parse
 * makes a copy of each per record).
 *
 * @example
 * ```ts
 * const sharing = new RecordSharing();
 * const record = compactTaskRecord(decoded.right, sharing);
 * ```
 */
export function compactTaskRecord(r: TaskRecord, sharing: RecordSharing = new RecordSharing()): TaskRecord {
  const originalRequest = compactRequest(r.originalRequest, sharing);
  return {
    taskIdentifier: r.taskIdentifier,
    taskKey: r.taskKey,
    taskDescription: r.taskDescription,
    kind: constant(taskKinds, r.kind),
    phase: constant(taskPhases, r.phase),
    reason: r.reason === null ? null : constant(waitReasons, r.reason),
    createdAt: r.createdAt,
    originalRequest,
    // Stored once when equal (see `encodeTaskRecord`), decoded twice: one object serves both.
    currentRequest: deepEqual(r.currentRequest, r.originalRequest) ? originalRequest : compactRequest(r.currentRequest, sharing),
    redirectCount: r.redirectCount,
    options: sharing.value('options', r.options),
    body: r.body,
    attempts: sharing.value('attempts', r.attempts),
    dueAt: r.dueAt,
    partKey: r.partKey,
    checkpoint: r.checkpoint,
    progress: sharing.value('progress', r.progress),
    handOver: r.handOver,
    response: r.response,
    lastRestart: r.lastRestart === null ? null : constant(restartReasons, r.lastRestart),
    integrityRestartUsed: r.integrityRestartUsed,
    fetchedFromZero: r.fetchedFromZero,
    suggestedName: r.suggestedName,
    error: sharing.value('error', r.error),
    endedAt: r.endedAt,
    waitingNotified: r.waitingNotified,
    credentialHeaders: sharing.value('credentialHeaders', r.credentialHeaders),
  };
}

function compactRequest(request: HttpRequest, sharing: RecordSharing): HttpRequest {
  return { url: request.url, method: sharing.string(request.method), headers: sharing.value('headers', request.headers) };
}

/** The model's own string for `value` (one of `values`), so that records do not each hold a copy. */
function constant<T extends string>(values: readonly T[], value: T): T {
  const index = values.indexOf(value);
  return index === -1 ? value : (values[index] as T);
}
