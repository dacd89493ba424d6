// The public surface of @bgsession/core: one explicit, flat list of named exports.

// Model types.
export type { AttemptOutcome } from './model/attempt-outcome.js';
export type { RedirectPolicy, RetryPolicy, SessionConfiguration, SessionConfigurationInput } from './model/configuration.js';
export { defaultConfiguration } from './model/configuration.js';
export type { HeaderMap, HttpRequest, ResponseHead, Validator } from './model/http.js';
export type { DurableEventPayload, OutboxEntry } from './model/outbox.js';
export type { PersistedError } from './model/persisted-error.js';
export type { ResumeData, ResumeDataReference } from './model/resume-data.js';
export type { SessionLifecycle, StoreHeader } from './model/store-header.js';
export type { StepDurability, TaskEffect, TransientEventPayload } from './model/task-effects.js';
export type { TaskEvent, TaskEventType, TaskTimer } from './model/task-events.js';
export type {
  AttemptAccount,
  BodySource,
  Checkpoint,
  DataResponse,
  Destination,
  DestinationInput,
  HandOver,
  IfExists,
  RestartReason,
  TaskKind,
  TaskOptions,
  TaskPhase,
  TaskProgress,
  TaskRecord,
  TaskState,
  WaitReason,
} from './model/task-types.js';
export { restartReasons, taskKinds, taskPhases, waitReasons } from './model/task-types.js';

// Errors.
export type { BgSessionErrorFields } from './errors/bg-session-error.js';
export { BgSessionError, isBgSessionError } from './errors/bg-session-error.js';
export type { ErrorCode, ErrorCodeInfo, ErrorEffect } from './errors/error-codes.js';
export { errorCodes, isErrorCode, retryableStatuses } from './errors/error-codes.js';

// Ports.
export type { ByteStore, ByteStoreCapabilities, HandOverRequest, HandOverResult } from './ports/byte-store.js';
export type { Channel } from './ports/channel.js';
export type { CancelTimer, Clock } from './ports/clock.js';
export type { Connectivity, NetworkState } from './ports/connectivity.js';
export type { FileHandle, FileLock, FileStat, FileSystem, OpenOptions } from './ports/file-system.js';
export type { HashState, Hasher } from './ports/hasher.js';
export { crashPoints, type CrashPoint, type Probe } from './ports/probe.js';
export type { Random } from './ports/random.js';
export type {
  Store,
  StoreBatch,
  StoreCapabilities,
  StoreCollection,
  StoreContents,
  StoreOperation,
  StoreProblem,
} from './ports/store.js';
export type {
  AttemptRequest,
  AttemptResponse,
  RequestBody,
  Transport,
  TransportCapabilities,
} from './ports/transport.js';

// Codecs of what stores hold (decoders return Either: bad data is a value, never a throw).
export type { DecodeFailure } from './codecs/decode-error.js';
export { decodeOutboxEntry, encodeOutboxEntry } from './codecs/outbox-entry-codec.js';
export { decodeTaskRecord, encodeTaskRecord } from './codecs/task-record-codec.js';
export { decodeResumeData, encodeResumeData } from './codecs/resume-data-codec.js';

// Machines.
export { taskMachine } from './machines/task-machine.js';
export type { TaskMachineContext } from './machines/task-machine.js';
export { stepTask } from './machines/step-task.js';
export type { TaskStepResult } from './machines/task-step-result.js';
export type { TaskEnvironment } from './machines/task-environment.js';
export type { TaskUpdate } from './machines/task-update.js';
export { newTaskRecord } from './machines/new-task-record.js';
export type { NewTaskInput } from './machines/new-task-record.js';
export { isTerminalPhase, publicState } from './machines/public-state.js';
export { sessionMachine, stepSession } from './machines/session-machine.js';
export type { SessionEffect, SessionEvent, SessionStepResult } from './machines/session-machine.js';

// Scheduler.
export { addTask, createScheduler, decide, has, queuedCount, releaseTask, removeTask, runningCount, setLimits, updateTask } from './scheduler/scheduler.js';
export type { SchedulerDecision, SchedulerEntry, SchedulerLimits, SchedulerOptions, SchedulerState, SchedulerWaitReason } from './scheduler/scheduler-types.js';
export { defaultAgingWindow } from './scheduler/scheduler-types.js';

// Policies.
export { accountAttempt, freeRestartsInARow, storageRecheckInterval } from './policy/attempt-accounting.js';
export type { AccountAttemptInput, AttemptDecision } from './policy/attempt-accounting.js';
export { backoffDelay } from './policy/backoff-delay.js';
export { classifyFailure, httpStatusOutcome, isRetryableStatus } from './policy/classify-failure.js';
export type { FailureInput } from './policy/classify-failure.js';
export { parseContentLength, parseContentRange } from './policy/content-range.js';
export type { ContentRange, ContentRangeProblem } from './policy/content-range.js';
export { clampDueTime, isExpired, resourceDeadline } from './policy/deadlines.js';
export type { DueTimeKind } from './policy/deadlines.js';
export { fallbackFileName, sanitizeFileName, suggestedFileName } from './policy/file-name.js';
export { parseHttpDate } from './policy/http-date.js';
export { redirectDecision } from './policy/redirect-decision.js';
export type { RedirectDecision, RedirectInput } from './policy/redirect-decision.js';
export { decideResume, resumeRequestHeaders } from './policy/resume-decision.js';
export type { ResumeDecision, ResumeSent } from './policy/resume-decision.js';
export { parseRetryAfter } from './policy/retry-after.js';
export { alwaysSensitiveHeaders, hasSensitiveHeaders, stripSensitiveHeaders } from './policy/sensitive-headers.js';
export { trustedOffset } from './policy/trusted-offset.js';
export { ifRangeValue, sameValidator, validatorFromResponse } from './policy/validator.js';

// Stores.
export { createMemoryStore, createMemoryStoreData } from './stores/memory-store.js';
export type { MemoryStore, MemoryStoreData, MemoryStoreOptions } from './stores/memory-store.js';
export { createMemoryByteStore, memoryFinishedPrefix } from './stores/memory-byte-store.js';
export type { MemoryByteStore, MemoryByteStoreOptions } from './stores/memory-byte-store.js';
export { createMemoryByteStoreData } from './stores/memory-byte-store-data.js';
export type { MemoryByteEntry, MemoryByteStoreData } from './stores/memory-byte-store-data.js';
export { numberedName } from './stores/numbered-name.js';

// The session runtime.
export { createSession } from './shell/create-session.js';
export { sessionListenerKeys } from './shell/session-types.js';
export type {
  AckResult,
  ControlResult,
  CreateSessionOptions,
  DataOptions,
  DownloadOptions,
  ResumeDownloadOptions,
  DurableEvent,
  EventItem,
  HostOptions,
  Session,
  SessionListener,
  SessionPorts,
  Task,
  TaskInfo,
  TaskOptionsInput,
  TaskOutcome,
  TransientEvent,
  UploadBodyOptions,
  UploadFileOptions,
  UploadOptions,
} from './shell/session-types.js';
export { createFileByteStore } from './stores/file-byte-store.js';
export type { FileByteStore, FileByteStoreOptions } from './stores/file-byte-store.js';
export { createJournalStore } from './stores/journal-store.js';
export type { JournalStore, JournalStoreOptions } from './stores/journal-store.js';
export type { JournalCompactionOptions } from './stores/journal-compaction.js';
