import { fromPersistedError } from '../codecs/persisted-error-codec.js';
import type { BgSessionError } from '../errors/bg-session-error.js';
import { publicState } from '../machines/public-state.js';
import type { PersistedError } from '../model/persisted-error.js';
import type { TaskRecord } from '../model/task-types.js';
import type { TaskInfo } from './session-types.js';

/**
 * The public snapshot of a task record.
 *
 * @example
 * ```ts
 * taskInfo(record).state; // 'running'
 * ```
 */
export function taskInfo(record: TaskRecord): TaskInfo {
  return {
    taskIdentifier: record.taskIdentifier,
    taskKey: record.taskKey,
    taskDescription: record.taskDescription,
    kind: record.kind,
    state: publicState(record.phase),
    phase: record.phase,
    reason: record.reason,
    originalRequest: record.originalRequest,
    currentRequest: record.currentRequest,
    countOfBytesSent: record.progress.countOfBytesSent,
    countOfBytesExpectedToSend: record.progress.countOfBytesExpectedToSend,
    countOfBytesReceived: record.progress.countOfBytesReceived,
    countOfBytesExpectedToReceive: record.progress.countOfBytesExpectedToReceive,
    error: record.error === null ? null : taskError(record.error, record),
    credentialHeaders: record.credentialHeaders,
  };
}

/**
 * A task's persisted error as the app gets it, with the path it persisted (a hand-over's
 * destination). An upload's file is in the record: `UploadSourceChanged` names it, also in errors
 * stored before paths were persisted.
 *
 * @example
 * ```ts
 * taskError(record.error, record).path; // '/home/me/video.mp4' for an upload whose file changed
 * ```
 */
export function taskError(persisted: PersistedError, record: TaskRecord | undefined): BgSessionError {
  const body = record?.body;
  const source = persisted.code === 'UploadSourceChanged' && body != null && !body.owned ? body.ref : undefined;
  return fromPersistedError(persisted, undefined, source);
}
