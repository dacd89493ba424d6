import type { BgSessionError } from '../errors/bg-session-error.js';
import type { SessionConfigurationInput } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import type { DestinationInput, TaskKind, TaskPhase, TaskState, WaitReason } from '../model/task-types.js';
import type { ByteStore } from '../ports/byte-store.js';
import type { Clock } from '../ports/clock.js';
import type { Connectivity } from '../ports/connectivity.js';
import type { Hasher } from '../ports/hasher.js';
import type { Random } from '../ports/random.js';
import type { Store, StoreProblem } from '../ports/store.js';
import type { Transport } from '../ports/transport.js';
import type { Probe } from '../ports/probe.js';
import type { SchedulerOptions } from '../scheduler/scheduler-types.js';

/** The adapters a session runs on. Every session gets its own instances. */
export interface SessionPorts {
  readonly store: Store;
  readonly byteStore: ByteStore;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  readonly connectivity: Connectivity;
  /** Needed for `integrity` and to record a hand-over's hash; without it, `integrity` is refused. */
  readonly hasher?: Hasher;
  /** Told at the runtime's crash points (`event-delivery`, `handler-returned`); for crash tests. */
  readonly probe?: Probe;
  /**
   * Resolves at the host's next turn, once the I/O and timers already due have run (Node:
   * `setImmediate`). Work the session does in the background in chunks (the stored tasks joining
   * after an open) waits for it between chunks, so events and calls are served meanwhile. Without
   * it, a microtask: the chunks then run back to back. A host that stops does not wait for it.
   */
  readonly nextTurn?: () => Promise<void>;
}

/** Options of this host only: given at each open, never persisted. */
export interface HostOptions {
  /** The acknowledging consumer as a listener; omit it to consume with `session.events()`. */
  readonly listener?: SessionListener;
  /** `strict` (default) or `relaxed` (semantics section 7). */
  readonly durability?: 'strict' | 'relaxed';
  /**
   * Supplies sensitive headers (Authorization, Cookie...) that were not persisted, after a relaunch.
   * Return the headers to add, or null when the app has none now; or a promise of them (a token
   * refresh): the task waits with reason `credentials` until it settles, and is not asked again
   * meanwhile.
   */
  readonly credentials?: (task: TaskInfo) => Readonly<Record<string, string>> | null | PromiseLike<Readonly<Record<string, string>> | null>;
}

/** Everything `createSession` takes. */
export interface CreateSessionOptions {
  readonly ports: SessionPorts;
  readonly configuration: SessionConfigurationInput;
  readonly hostOptions?: HostOptions;
  /**
   * The scheduler's aging (default `defaultAgingWindow`). Only tests change it: `Infinity` is the
   * strict priority order that can starve a task, to show that invariant #16 catches it.
   */
  readonly scheduler?: SchedulerOptions;
}

/** A snapshot of a task, as events and `tasks()` show it. */
export interface TaskInfo {
  readonly taskIdentifier: number;
  readonly taskKey: string | null;
  readonly taskDescription: string | null;
  readonly kind: TaskKind;
  readonly state: TaskState;
  readonly phase: TaskPhase;
  readonly reason: WaitReason | null;
  readonly originalRequest: HttpRequest;
  readonly currentRequest: HttpRequest;
  /** Request-body bytes sent by the attempt in flight (read at any time, as URLSession's). */
  readonly countOfBytesSent: number;
  readonly countOfBytesExpectedToSend: number;
  /**
   * Response-body bytes received so far: counted live while an attempt runs; between attempts and
   * after a relaunch, the bytes kept at the last checkpoint.
   */
  readonly countOfBytesReceived: number;
  /** The body's length when the server said it, else -1. */
  readonly countOfBytesExpectedToReceive: number;
  /** Set when the task ended with an error. */
  readonly error: BgSessionError | null;
  /**
   * The sensitive headers (lower-case names) the task was created with, which the store does not
   * keep: after a relaunch the `credentials` host option must give every one of them, or the task
   * waits with reason `credentials`.
   */
  readonly credentialHeaders: readonly string[];
}

/** Options shared by every kind of task. */
export interface TaskOptionsInput {
  /** An absolute http(s) URL, as a string or a `URL`. */
  readonly url: string | URL;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly taskKey?: string;
  readonly taskDescription?: string;
  readonly priority?: number;
  /** ms since the epoch (or a Date). */
  readonly earliestBeginDate?: number | { valueOf(): number };
  readonly timeoutForRequest?: number;
  readonly timeoutForResource?: number;
  readonly allowsExpensiveNetwork?: boolean;
  readonly allowsConstrainedNetwork?: boolean;
  readonly discretionary?: boolean;
  readonly idempotent?: boolean;
  readonly countOfBytesClientExpectsToSend?: number;
  readonly countOfBytesClientExpectsToReceive?: number;
  /** Create it running (default true), like calling `resume()` at once. */
  readonly resume?: boolean;
}

/** A download: the body goes to a file. */
export interface DownloadOptions extends TaskOptionsInput {
  /** `sha256-<base64>`, verified before success is reported. */
  readonly integrity?: string;
  /** Where the finished file goes (`ifExists` defaults to `'fail'`); without one it is handed over inside the store. */
  readonly destination?: DestinationInput;
}

/**
 * A download made from resume data, with the options of the new task: the URL, method and headers
 * come from the resume data, and the rest is given again as for any download (`destination`,
 * `integrity`, `taskKey`, `priority`...). `session.download(resumeData)` is the same with no option:
 * the finished file is then handed over inside the store, as in Apple's model.
 */
export interface ResumeDownloadOptions extends Omit<DownloadOptions, 'url' | 'method' | 'headers'> {
  /** The string `cancelProducingResumeData()` returned, or an error's `resumeData`. */
  readonly resumeData: string;
  /** Comes from the resume data (giving it is `InvalidArgument`). */
  readonly url?: never;
  /** Comes from the resume data (giving it is `InvalidArgument`). */
  readonly method?: never;
  /**
   * Credentials only: the sensitive headers the resume data names (`Authorization`...), which it
   * never holds. Other headers come from the resume data (giving one is `InvalidArgument`).
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An upload of bytes: the session copies them into its store (deleted with the task). */
export interface UploadBodyOptions extends TaskOptionsInput {
  readonly body: Uint8Array;
  /** Give `body` or `file`, not both. */
  readonly file?: never;
  /** The largest response body kept (default: the configuration's, 8 MiB); past it, `ResponseTooLarge`. */
  readonly maxDataTaskBytes?: number;
}

/**
 * An upload of a file of the app's (Apple's `uploadTask(with:fromFile:)`), read where it is at
 * each attempt: never copied, never deleted, so it may be as large as the disk allows. Its size,
 * modification time and identity are recorded at creation, and a file that changes before the
 * task ends fails it with `UploadSourceChanged` (semantics section 6). A path to nothing, to a
 * directory or to a symbolic link (links are not followed) is `InvalidArgument` naming `file`.
 *
 * @example
 * ```ts
 * const task = await session.upload({ url: 'https://uploads.example.com/video.mp4', file: '/home/me/video.mp4' });
 * const { error } = await task.outcome();
 * if (error?.code === 'UploadSourceChanged') console.log(`${error.path} changed; upload it again`);
 * ```
 */
export interface UploadFileOptions extends TaskOptionsInput {
  /**
   * The file's path: absolute, or relative to the working directory where the host has one
   * (`@bgsession/node` resolves it at the call). The file must not change while the task lives.
   */
  readonly file: string;
  /** Give `body` or `file`, not both. */
  readonly body?: never;
  /** The largest response body kept (default: the configuration's, 8 MiB); past it, `ResponseTooLarge`. */
  readonly maxDataTaskBytes?: number;
}

/**
 * An upload: `body` (bytes, copied into the session's store) or `file` (a path, read where it is).
 * Giving both or neither is `InvalidArgument` naming `file`.
 *
 * @example
 * ```ts
 * await session.upload({ url: 'https://api.example.com/notes/1', body: new TextEncoder().encode('hello') });
 * await session.upload({ url: 'https://uploads.example.com/backup.tar', file: '/var/backups/backup.tar', method: 'POST' });
 * ```
 */
export type UploadOptions = UploadBodyOptions | UploadFileOptions;

/** A data task: request and response bodies kept in the store. */
export interface DataOptions extends TaskOptionsInput {
  readonly body?: Uint8Array;
  readonly maxDataTaskBytes?: number;
}

/** What `resume()` / `suspend()` did. */
export interface ControlResult {
  /** False for a no-op (resume on a running task, suspend on a completed one...). */
  readonly changed: boolean;
  readonly phase: TaskPhase;
}

/** How a task ended, as its outcome promise reports it (at the end commit). */
export interface TaskOutcome {
  readonly task: TaskInfo;
  readonly phase: Extract<TaskPhase, 'succeeded' | 'failed' | 'cancelled' | 'timedOut'>;
  readonly error: BgSessionError | null;
}

/** A live handle on one task. */
export interface Task {
  readonly taskIdentifier: number;
  /** The current snapshot. */
  info(): TaskInfo;
  resume(): Promise<ControlResult>;
  suspend(): Promise<ControlResult>;
  cancel(): Promise<ControlResult>;
  /** Cancels a download and returns its resume data (null when no bytes were kept). */
  cancelProducingResumeData(): Promise<string | null>;
  /** Resolves when the task's end is committed. Never acknowledges anything. */
  outcome(signal?: AbortSignal): Promise<TaskOutcome>;
}

/** A durable event as delivered: acknowledge it by returning (listener) or `ack()` (iterator). */
export type DurableEvent =
  | { readonly type: 'downloadDidFinish'; readonly eventId: string; readonly task: TaskInfo; readonly location: string; readonly inStore: boolean }
  | {
      readonly type: 'taskDidComplete';
      readonly eventId: string;
      readonly task: TaskInfo;
      readonly error: BgSessionError | null;
      /** Data and upload tasks: the response, its body loaded. */
      readonly response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Uint8Array } | null;
    }
  | { readonly type: 'sessionDidBecomeInvalid'; readonly eventId: string; readonly error: BgSessionError | null };

/** An event that is not persisted (progress is best effort). */
export type TransientEvent =
  | { readonly type: 'taskDidWriteData'; readonly task: TaskInfo; readonly bytesWritten: number; readonly totalBytesWritten: number; readonly totalBytesExpectedToWrite: number }
  | { readonly type: 'taskDidSendBodyData'; readonly task: TaskInfo; readonly bytesSent: number; readonly totalBytesSent: number; readonly totalBytesExpectedToSend: number }
  | { readonly type: 'taskIsWaitingForConnectivity'; readonly task: TaskInfo }
  | { readonly type: 'sessionDidFinishEvents' }
  | { readonly type: 'storeProblem'; readonly problem: StoreProblem }
  | {
      /**
       * A durable event could not be handed over: the handler threw or its promise rejected (`error`
       * is what it threw), or the event could not be read back from the store. It stays owed and is
       * delivered again, same `eventId`, at `retryAt` (a backoff from 1 s to 30 s).
       */
      readonly type: 'eventDeliveryFailed';
      readonly eventId: string;
      readonly eventType: DurableEvent['type'];
      /** The event's task, or null for `sessionDidBecomeInvalid`. */
      readonly taskIdentifier: number | null;
      readonly error: unknown;
      /** Failed deliveries in a row, this one included. */
      readonly failures: number;
      /** When the event is delivered again (the Clock port's wall-clock ms). */
      readonly retryAt: number;
    };

/**
 * The acknowledging consumer as an object (Apple's delegate). A durable handler acknowledges its
 * event by returning (or by its promise resolving); if it throws, the event is delivered again.
 */
export interface SessionListener {
  downloadDidFinish?(event: Extract<DurableEvent, { type: 'downloadDidFinish' }>): void | Promise<void>;
  taskDidComplete?(event: Extract<DurableEvent, { type: 'taskDidComplete' }>): void | Promise<void>;
  sessionDidBecomeInvalid?(event: Extract<DurableEvent, { type: 'sessionDidBecomeInvalid' }>): void | Promise<void>;
  taskDidWriteData?(event: Extract<TransientEvent, { type: 'taskDidWriteData' }>): void;
  taskDidSendBodyData?(event: Extract<TransientEvent, { type: 'taskDidSendBodyData' }>): void;
  taskIsWaitingForConnectivity?(event: Extract<TransientEvent, { type: 'taskIsWaitingForConnectivity' }>): void;
  sessionDidFinishEvents?(): void;
  storeProblem?(event: Extract<TransientEvent, { type: 'storeProblem' }>): void;
  /** A durable handler threw (or the event could not be read): told each time, before the event comes again. */
  eventDeliveryFailed?(event: Extract<TransientEvent, { type: 'eventDeliveryFailed' }>): void;
}

/**
 * Every handler a {@link SessionListener} may have. A host that wraps a listener wraps these, and
 * `createSession` refuses a listener whose value under one of them is not a function.
 */
export const sessionListenerKeys = [
  'downloadDidFinish',
  'taskDidComplete',
  'sessionDidBecomeInvalid',
  'taskDidWriteData',
  'taskDidSendBodyData',
  'taskIsWaitingForConnectivity',
  'sessionDidFinishEvents',
  'storeProblem',
  'eventDeliveryFailed',
] as const satisfies ReadonlyArray<keyof SessionListener>;

/** An item of `session.events()`: durable items must be acknowledged with `ack()`. */
export type EventItem =
  | (DurableEvent & { ack(): Promise<AckResult> })
  | (TransientEvent & { ack(): Promise<AckResult> });

/** What an acknowledgement did. Acknowledging twice or an unknown id is a no-op that says so. */
export type AckResult =
  | { readonly acknowledged: true }
  | { readonly acknowledged: false; readonly reason: 'unknownEvent' | 'alreadyAcknowledged' | 'notDurable' };

/** A background transfer session (semantics section 1). */
export interface Session {
  readonly identifier: string;
  /** Problems found when the store was opened (undecodable records, quarantined tasks). */
  readonly problems: readonly StoreProblem[];
  /**
   * A URL (a string or a `URL`, or options) starts a download; a string that is not a URL is taken
   * as resume data, and
   * `{ resumeData, ...options }` continues from resume data with options of its own.
   */
  download(input: DownloadOptions | ResumeDownloadOptions | string | URL): Promise<Task>;
  /**
   * An upload (PUT by default): of `body` bytes, copied into the store, or of the app's `file`,
   * read where it is at each attempt and failed with `UploadSourceChanged` if it changes.
   */
  upload(input: UploadOptions): Promise<Task>;
  data(input: DataOptions): Promise<Task>;
  /**
   * Every task not yet acknowledged as ended. Right after an open, the stored tasks are still
   * joining in the background (the open does not wait for 100,000 queued tasks): they are decoded
   * at this call and listed, each as it was stored until it is relaunched; `allTasks()` waits for
   * that instead.
   */
  tasks(): readonly Task[];
  /** The task with this identifier, or undefined when there is none (or it was acknowledged as ended). */
  task(taskIdentifier: number): Task | undefined;
  /**
   * Every task, once each stored one has joined the session relaunched (Apple's `getAllTasks`):
   * at once, as `tasks()`, except right after an open.
   */
  allTasks(): Promise<readonly Task[]>;
  /** The acknowledging consumer as an async iterator (only when no listener was given; once). */
  events(signal?: AbortSignal): AsyncIterableIterator<EventItem>;
  acknowledge(eventId: string): Promise<AckResult>;
  /**
   * Tells the session the app can now supply credentials: every task waiting with reason
   * `credentials` asks the `credentials` host option again when it next gets a slot.
   */
  credentialsChanged(): Promise<void>;
  /** Deletes bytes that resume data owns. */
  discardResumeData(resumeData: string): Promise<void>;
  finishTasksAndInvalidate(): Promise<void>;
  invalidateAndCancel(): Promise<void>;
  /** Resolves when `sessionDidBecomeInvalid` is committed. */
  invalidated(signal?: AbortSignal): Promise<void>;
  /** Stops this host without changing any task: they continue at the next open (like a process exit). */
  close(): Promise<void>;
}
