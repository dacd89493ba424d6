import { fromPersistedError } from '../codecs/persisted-error-codec.js';
import { publicState } from '../machines/public-state.js';
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
    error: record.error === null ? null : fromPersistedError(record.error),
  };
}
