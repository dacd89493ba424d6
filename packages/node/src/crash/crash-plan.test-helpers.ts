/** One download a crash child enqueues. */
export interface PlannedDownload {
  /** The task's `taskKey`: a relaunch finds the task a killed launch created instead of adding one. */
  readonly key: string;
  readonly url: string;
  /** Where the finished file goes (`ifExists: 'fail'`: a hand-over done twice would show). */
  readonly destination: string;
}

/** One POST data task a crash child enqueues (a non-idempotent request, semantics section 4). */
export interface PlannedPost {
  readonly key: string;
  readonly url: string;
  readonly bodyBytes: number;
}

/**
 * What crash-child.fixture.ts does, written as JSON by the harness: the same plan for every
 * launch of one run.
 */
export interface CrashPlan {
  readonly identifier: string;
  /** The session's directory. */
  readonly directory: string;
  /** The app's own log: a line per task created and per durable event delivered, each fsynced. */
  readonly appLog: string;
  readonly downloads: readonly PlannedDownload[];
  readonly posts: readonly PlannedPost[];
  /**
   * The length of each download's `taskDescription` (an app keeping its own metadata there): it is
   * stored in every commit of the task's record, so one run's journal passes the size (1 MiB) at
   * which it is compacted, and `compaction-rename` is reached.
   */
  readonly descriptionBytes: number;
  /** The session's `checkpointBytes`: small, so a download makes many commits. */
  readonly checkpointBytes: number;
  /** A launch that has not finished by then exits with code 3 rather than hang. */
  readonly launchTimeoutMs: number;
}

/** A line of the app log. */
export type AppLogLine =
  | { readonly kind: 'created'; readonly launch: number; readonly key: string; readonly taskIdentifier: number }
  | {
      readonly kind: 'delivered';
      readonly launch: number;
      readonly type: 'downloadDidFinish' | 'taskDidComplete';
      readonly key: string | null;
      readonly taskIdentifier: number;
      readonly eventId: string;
      /** taskDidComplete: the error's code, or null. */
      readonly error: string | null;
      /** taskDidComplete of a data task: the response's status, or null. */
      readonly status: number | null;
    };
