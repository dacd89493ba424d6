import { encodeResumeData } from '../codecs/resume-data-codec.js';
import type { TaskRecord } from '../model/task-types.js';
import { persistableRequest } from './persistence.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * The resume data of a download's kept bytes (semantics section 2, "Cancel and resume data"), or
 * null when there is nothing to resume with: no response yet, or no strong validator.
 *
 * A download is resumable from its first response's checkpoint on, offset 0 included, as Apple's
 * are: `bytesKept` is the last checkpoint's offset, and the bytes written after it count too when
 * the resume data is used on the same boot (`trustedOffset`), so a pause in the first seconds
 * (before the first 4 MiB or 2 s checkpoint) keeps what it fetched instead of deleting it.
 * A download handing over has its whole file synced (the body was synced before the hand-over was
 * recorded): its resume data keeps all of it, so using it fetches no byte again (its Range starts
 * past the end, and the server's 416 completes the file).
 */
export function buildResumeData(runtime: SessionRuntime, record: TaskRecord, now: number): string | null {
  const checkpoint = record.checkpoint;
  if (record.kind !== 'download' || record.partKey === null || checkpoint === null) return null;
  const validator = checkpoint.validator;
  const strong = validator !== null && (validator.type === 'etag' ? !validator.weak : validator.strong);
  if (!strong) return null;
  return encodeResumeData({
    version: 2,
    sessionIdentifier: runtime.configuration.identifier,
    originalUrl: record.originalRequest.url,
    currentRequest: persistableRequest(record.currentRequest, runtime.configuration),
    validator,
    bytesKept: record.phase === 'handingOver' && record.handOver !== null ? record.handOver.size : checkpoint.offset,
    expectedLength: checkpoint.expectedLength,
    partKey: record.partKey,
    bootIdentity: checkpoint.bootIdentity,
    expiresAt: now + runtime.configuration.resumeDataLifetime,
    credentialHeaders: record.credentialHeaders,
  });
}
