import { encodeResumeData } from '../codecs/resume-data-codec.js';
import type { TaskRecord } from '../model/task-types.js';
import { persistableRequest } from './persistence.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * The resume data of a download's kept bytes (semantics section 2, "Cancel and resume data"), or
 * null when nothing worth resuming is kept: no synced bytes, or no strong validator to resume with.
 */
export function buildResumeData(runtime: SessionRuntime, record: TaskRecord, now: number): string | null {
  const checkpoint = record.checkpoint;
  if (record.kind !== 'download' || record.partKey === null || checkpoint === null || checkpoint.offset <= 0) return null;
  const validator = checkpoint.validator;
  const strong = validator !== null && (validator.type === 'etag' ? !validator.weak : validator.strong);
  if (!strong) return null;
  return encodeResumeData({
    version: 1,
    sessionIdentifier: runtime.configuration.identifier,
    originalUrl: record.originalRequest.url,
    currentRequest: persistableRequest(record.currentRequest, runtime.configuration),
    validator,
    bytesKept: checkpoint.offset,
    expectedLength: checkpoint.expectedLength,
    partKey: record.partKey,
    bootIdentity: checkpoint.bootIdentity,
    expiresAt: now + runtime.configuration.resumeDataLifetime,
  });
}
