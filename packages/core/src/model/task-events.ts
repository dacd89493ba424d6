import type { HttpRequest } from './http.js';
import type { AttemptOutcome } from './attempt-outcome.js';
import type { PersistedError } from './persisted-error.js';
import type { Checkpoint, DataResponse, HandOver, RestartReason } from './task-types.js';

/** Every event carries the wall-clock instant it happened at: the machine reads no clock. */
interface At {
  readonly now: number;
}

/** The timers a task can have armed. */
export type TaskTimer = 'resource' | 'callback';

/**
 * The events the task machine accepts (architecture.md "The core"). The shell sends them; tests
 * send them directly through `stepTask`.
 */
export type TaskEvent =
  | ({ readonly type: 'resume' } & At)
  | ({ readonly type: 'suspend' } & At)
  | ({ readonly type: 'cancel' } & At)
  /** `resumeData`: the encoded resume data the shell built from the record (null when nothing is kept). */
  | ({ readonly type: 'cancelProducingResumeData'; readonly resumeData: string | null } & At)
  /** The scheduler granted a slot: an attempt starts. */
  | ({ readonly type: 'slotGranted' } & At)
  /** The network no longer meets the task's constraints (offline, or a kind of network it may not use). */
  | ({ readonly type: 'constraintsChanged'; readonly satisfied: false; readonly reason: 'connectivity' | 'constraints' } & At)
  /** The network meets the task's constraints again: a waiting task now waits only for a slot. */
  | ({ readonly type: 'constraintsChanged'; readonly satisfied: true } & At)
  /**
   * `resumeData`: for the resource deadline, the resume data the shell built from the record, so a
   * download that times out keeps its bytes as Apple's do (null or absent when nothing is kept).
   */
  | ({ readonly type: 'timerFired'; readonly timer: TaskTimer; readonly resumeData?: string | null } & At)
  /** The response head arrived and the pump decided what to do with the body. */
  | ({
      readonly type: 'responseStarted';
      readonly status: number;
      /** `append`: continue from the checkpoint; `fresh`: write from 0 (first attempt or restart); `done`: nothing to fetch. */
      readonly mode: 'append' | 'fresh' | 'done';
      /** Set when `fresh` follows kept bytes: why they were dropped. */
      readonly restart: RestartReason | null;
      readonly expectedLength: number | null;
      /**
       * A checkpoint recorded with the step, which is then strict: `fresh` after kept bytes gives
       * (0, the new validator), so no new byte can later be resumed under the old one; `append`
       * on another boot gives the kept bytes under this boot's identity. One commit, not two.
       */
      readonly checkpoint?: Checkpoint;
      /** `fresh`, into a directory: the file name this response suggests (kept for the hand-over). */
      readonly suggestedName?: string | null;
    } & At)
  /** A checkpoint is durable (bytes synced up to `checkpoint.offset`). */
  | ({ readonly type: 'bytesDurable'; readonly checkpoint: Checkpoint; readonly countOfBytesSent?: number } & At)
  /** The body ended and was verified: downloads carry the hand-over to record, data tasks the response. */
  | ({
      readonly type: 'bodyEnded';
      readonly handOver: HandOver | null;
      readonly response: DataResponse | null;
      readonly countOfBytesReceived: number;
      readonly countOfBytesSent: number;
    } & At)
  /** The attempt failed; `draw` is the Random port's value in [0, 1) for the backoff. */
  | ({
      readonly type: 'attemptFailed';
      readonly error: PersistedError;
      readonly outcome: AttemptOutcome;
      readonly draw: number;
      /** A Retry-After the server sent, as a delay in ms, or null. */
      readonly retryAfter: number | null;
      /** Resume data for the kept bytes, carried in the error if this failure ends a download. */
      readonly resumeData: string | null;
    } & At)
  /** A redirect was accepted by the policy: the current request changes. */
  | ({ readonly type: 'redirected'; readonly request: HttpRequest } & At)
  /** `taskWillBeginDelayedRequest` was answered (or timed out: `proceed`). */
  | ({ readonly type: 'callbackAnswered'; readonly answer: 'proceed' | 'cancel' } & At)
  | ({ readonly type: 'delegated' } & At)
  | ({ readonly type: 'delegationEnded'; readonly handOver: HandOver | null; readonly error: PersistedError | null } & At)
  /** The hand-over rename is done: the file is at `location`. */
  | ({ readonly type: 'handedOver'; readonly location: string; readonly inStore: boolean } & At)
  /** The hand-over failed (DestinationExists, PermissionDenied): the task fails. */
  | ({ readonly type: 'handOverFailed'; readonly error: PersistedError } & At)
  /** The host died and the store was reopened. */
  | ({ readonly type: 'relaunched' } & At)
  | ({ readonly type: 'credentialsSupplied' } & At)
  /** A sensitive header is needed and no app supplied it. */
  | ({ readonly type: 'credentialsMissing' } & At);

/** The type names of `TaskEvent`. */
export type TaskEventType = TaskEvent['type'];
