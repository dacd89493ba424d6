import type { TaskRecord } from '../model/task-types.js';

/**
 * The same record as an object literal. Decoders build records one keyed store at a time, and V8
 * turns an object given that many properties that way into a dictionary: about 1.6 KiB per record
 * instead of a fixed shape shared by every record (B5: 100,000 queued tasks held after a relaunch).
 * A literal has that shape; the compiler sees to it that it names every field.
 *
 * @example
 * ```ts
 * const record = compactTaskRecord(decoded.right);
 * ```
 */
export function compactTaskRecord(r: TaskRecord): TaskRecord {
  return {
    taskIdentifier: r.taskIdentifier,
    taskKey: r.taskKey,
    taskDescription: r.taskDescription,
    kind: r.kind,
    phase: r.phase,
    reason: r.reason,
    createdAt: r.createdAt,
    originalRequest: r.originalRequest,
    // Stored once when equal (see `encodeTaskRecord`), decoded twice: one object serves both.
    currentRequest: JSON.stringify(r.currentRequest) === JSON.stringify(r.originalRequest) ? r.originalRequest : r.currentRequest,
    redirectCount: r.redirectCount,
    options: r.options,
    body: r.body,
    attempts: r.attempts,
    dueAt: r.dueAt,
    partKey: r.partKey,
    checkpoint: r.checkpoint,
    progress: r.progress,
    handOver: r.handOver,
    response: r.response,
    lastRestart: r.lastRestart,
    integrityRestartUsed: r.integrityRestartUsed,
    fetchedFromZero: r.fetchedFromZero,
    error: r.error,
    endedAt: r.endedAt,
    waitingNotified: r.waitingNotified,
    credentialHeaders: r.credentialHeaders,
  };
}
