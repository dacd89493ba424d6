import type { HttpRequest } from '../model/http.js';
import type { BodySource, TaskKind, TaskOptions, TaskRecord } from '../model/task-types.js';

/** What a new task is made of, already validated and resolved against the configuration. */
export interface NewTaskInput {
  readonly taskIdentifier: number;
  readonly kind: TaskKind;
  readonly request: HttpRequest;
  readonly options: TaskOptions;
  readonly createdAt: number;
  readonly taskKey: string | null;
  readonly taskDescription: string | null;
  readonly body: BodySource | null;
  /** Partial bytes to continue from (a download created from resume data), with their checkpoint. */
  readonly resumeFrom?: Pick<TaskRecord, 'partKey' | 'checkpoint'>;
  /** Sensitive header names given at creation that the store does not keep. */
  readonly credentialHeaders?: readonly string[];
}

/**
 * The record of a task just created: phase `created` (Apple's `suspended` until `resume()`).
 *
 * @example
 * ```ts
 * const record = newTaskRecord({ taskIdentifier: 1, kind: 'download', request, options, createdAt: 0, taskKey: null, taskDescription: null, body: null });
 * record.phase; // 'created'
 * ```
 */
export function newTaskRecord(input: NewTaskInput): TaskRecord {
  const partKey = input.kind === 'download' ? (input.resumeFrom?.partKey ?? `part-${input.taskIdentifier}`) : null;
  const checkpoint = input.resumeFrom?.checkpoint ?? null;
  return {
    taskIdentifier: input.taskIdentifier,
    taskKey: input.taskKey,
    taskDescription: input.taskDescription,
    kind: input.kind,
    phase: 'created',
    reason: null,
    createdAt: input.createdAt,
    originalRequest: input.request,
    currentRequest: input.request,
    redirectCount: 0,
    options: input.options,
    body: input.body,
    attempts: {
      started: 0,
      spent: 0,
      backoffExponent: 0,
      restartsInARow: 0,
      staleRetryUsed: false,
      startRecorded: false,
      madeProgress: false,
    },
    dueAt: null,
    partKey,
    checkpoint,
    progress: {
      countOfBytesSent: 0,
      countOfBytesExpectedToSend: input.body?.size ?? 0,
      countOfBytesReceived: checkpoint?.offset ?? 0,
      countOfBytesExpectedToReceive: checkpoint?.expectedLength ?? -1,
    },
    handOver: null,
    response: null,
    lastRestart: null,
    integrityRestartUsed: false,
    fetchedFromZero: false,
    suggestedName: null,
    error: null,
    endedAt: null,
    waitingNotified: false,
    credentialHeaders: input.credentialHeaders ?? [],
  };
}
