import type { HttpRequest, Validator } from './http.js';
import type { PersistedError } from './persisted-error.js';

/** Every task kind, in one list the types, codecs and arbitraries share. */
export const taskKinds = ['download', 'upload', 'data'] as const;

/** Download (body to a file), upload (body from a file) or data (bodies kept in the store). */
export type TaskKind = (typeof taskKinds)[number];

/** Every phase, in one list the types, codecs and arbitraries share. */
export const taskPhases = [
  'created',
  'suspended',
  'scheduled',
  'connecting',
  'transferring',
  'backingOff',
  'canceling',
  'handingOver',
  'succeeded',
  'failed',
  'cancelled',
  'timedOut',
] as const;

/** The machine's state value: what the task is doing now (semantics section 2). */
export type TaskPhase = (typeof taskPhases)[number];

/** Apple's four public states. */
export type TaskState = 'suspended' | 'running' | 'canceling' | 'completed';

/** Every wait reason, in one list the types, codecs and arbitraries share. */
export const waitReasons = ['earliestBegin', 'slot', 'connectivity', 'constraints', 'storage', 'credentials', 'delegated'] as const;

/** Why a `scheduled` task is waiting. */
export type WaitReason = (typeof waitReasons)[number];

/** Every restart reason, in one list the types, codecs and arbitraries share. */
export const restartReasons = [
  'ServerIgnoredRange',
  'RangeMismatch',
  'ValidatorChanged',
  'WeakValidator',
  'EncodedResponse',
  'RangeNotSatisfiable',
  'NotResumable',
  'IntegrityRestart',
] as const;

/** Why a download restarted from byte 0 (not an error). */
export type RestartReason = (typeof restartReasons)[number];

/** What to do when the destination already holds a file. */
export type IfExists = 'fail' | 'replace' | 'rename';

/** Where a finished download goes. Without one it is handed over inside the store (Apple's model). */
export type Destination =
  | { readonly type: 'path'; readonly path: string; readonly ifExists: IfExists }
  | { readonly type: 'directory'; readonly directory: string; readonly ifExists: IfExists };

/**
 * A destination as the app gives it: `ifExists` may be left out and is then `'fail'` (semantics
 * section 2), so no file the app already has is overwritten unless it says so.
 */
export type DestinationInput =
  | { readonly type: 'path'; readonly path: string; readonly ifExists?: IfExists }
  | { readonly type: 'directory'; readonly directory: string; readonly ifExists?: IfExists };

/** Per-task options, resolved against the session configuration and frozen at creation. */
export interface TaskOptions {
  /** Longest silence of an attempt, ms. */
  readonly timeoutForRequest: number;
  /** Longest life from creation to end, ms, on the wall clock. */
  readonly timeoutForResource: number;
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
  /** 0..1, higher first. */
  readonly priority: number;
  /** Whether the request may be repeated after it may have reached the server. */
  readonly idempotent: boolean;
  /** `sha256-<base64>` verified before success, or null. */
  readonly integrity: string | null;
  /** Wall-clock instant (ms) before which no attempt starts, or null. */
  readonly earliestBeginDate: number | null;
  readonly countOfBytesClientExpectsToSend: number | null;
  readonly countOfBytesClientExpectsToReceive: number | null;
  /** Download destination, or null for hand-over inside the store. */
  readonly destination: Destination | null;
  /** Data tasks: the largest response body kept, bytes. */
  readonly maxDataTaskBytes: number;
}

/**
 * A durable point of a download: bytes up to `offset` are synced, under `validator`.
 * `bootIdentity` says whether the OS restarted since (see `trustedOffset`).
 */
export interface Checkpoint {
  readonly offset: number;
  readonly validator: Validator | null;
  /** The full length of the content, or null when unknown. */
  readonly expectedLength: number | null;
  readonly bootIdentity: string;
}

/** Attempt accounting (semantics section 4). */
export interface AttemptAccount {
  /** Attempts started so far (each `slotGranted`). */
  readonly started: number;
  /** Attempts that counted against `maxAttempts`. */
  readonly spent: number;
  /** The exponent n of the next backoff; reset after an attempt that made durable progress. */
  readonly backoffExponent: number;
  /** Restarts from 0 in a row; the 4th counts as a retryable failure. */
  readonly restartsInARow: number;
  /** Whether the one free retry after a stale reused connection was used since the last success. */
  readonly staleRetryUsed: boolean;
  /** Whether the current attempt's start was durably recorded (non-idempotent requests). */
  readonly startRecorded: boolean;
  /** Whether the current attempt made durable progress (bytesDurable with a larger offset). */
  readonly madeProgress: boolean;
}

/** Progress counters; -1 where unknown (Apple's NSURLSessionTransferSizeUnknown). */
export interface TaskProgress {
  readonly countOfBytesSent: number;
  readonly countOfBytesExpectedToSend: number;
  readonly countOfBytesReceived: number;
  readonly countOfBytesExpectedToReceive: number;
}

/** The request body of an upload or data task, copied into or referenced from the store. */
export interface BodySource {
  /** A ByteStore key (bytes the session copied) or an adapter-specific file reference. */
  readonly ref: string;
  /** Whether the session owns the bytes (delete them with the task). */
  readonly owned: boolean;
  readonly size: number;
  /** Modification time and identity recorded at creation (uploads: checked before each attempt). */
  readonly mtimeMs: number | null;
  readonly identity: string | null;
}

/** The durable hand-over step: the file's size and hash recorded before the rename. */
export interface HandOver {
  readonly size: number;
  /** `sha256-<base64>` of the file, or null when the byte store cannot hash. */
  readonly hash: string | null;
  /** Where the file goes: an adapter path, or a store key for hand-over inside the store. */
  readonly target: string;
}

/** What a data task's response was (kept until delivery). */
export interface DataResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** ByteStore key of the body. */
  readonly bodyKey: string;
  readonly bodyLength: number;
}

/**
 * A task at rest: the machine's state value and context. It is the single source of truth;
 * the machine state is rebuilt from it (`resolveState`) when an event arrives.
 */
export interface TaskRecord {
  readonly taskIdentifier: number;
  readonly taskKey: string | null;
  readonly taskDescription: string | null;
  readonly kind: TaskKind;
  readonly phase: TaskPhase;
  /** Set while `scheduled`; null otherwise. */
  readonly reason: WaitReason | null;
  /** Wall-clock creation instant, ms. */
  readonly createdAt: number;
  readonly originalRequest: HttpRequest;
  readonly currentRequest: HttpRequest;
  /** Redirect hops followed in the current attempt chain. */
  readonly redirectCount: number;
  readonly options: TaskOptions;
  readonly body: BodySource | null;
  readonly attempts: AttemptAccount;
  /** Persisted due instant (backoff, Retry-After, earliestBegin, storage re-check), or null. */
  readonly dueAt: number | null;
  /** ByteStore key of a download's partial bytes, or null. */
  readonly partKey: string | null;
  readonly checkpoint: Checkpoint | null;
  readonly progress: TaskProgress;
  readonly handOver: HandOver | null;
  readonly response: DataResponse | null;
  /** The last restart reason (also in the trace). */
  readonly lastRestart: RestartReason | null;
  /** Whether the integrity-mismatch free restart was used. */
  readonly integrityRestartUsed: boolean;
  /** Whether the download was fetched whole from 0 in its current run (no resume). */
  readonly fetchedFromZero: boolean;
  /**
   * A download into a directory: the file name the response that began its bytes suggested
   * (Content-Disposition, else its URL), so a resume whose 206 or 416 names none (or another)
   * still lands under it. Null until then, and for other tasks.
   */
  readonly suggestedName: string | null;
  /** Set when the task ended with an error. */
  readonly error: PersistedError | null;
  /** Wall-clock end instant, ms, once completed. */
  readonly endedAt: number | null;
  /** Whether the task is waiting for connectivity and has told the app so (once per wait). */
  readonly waitingNotified: boolean;
  /**
   * Lower-case names of the sensitive headers the app gave at creation and the store does not keep
   * (semantics section 7, "Credentials"): after a relaunch the app must supply them again through
   * the `credentials` host option before an attempt may start.
   */
  readonly credentialHeaders: readonly string[];
}
