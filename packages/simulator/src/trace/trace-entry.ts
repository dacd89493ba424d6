import type { CrashPoint, RestartReason, TaskPhase } from '@bgsession/core';

/** A task record as a commit wrote it: enough to follow the task through the trace. */
export interface CommittedTask {
  readonly taskIdentifier: number;
  readonly phase: TaskPhase;
  /** Bytes the record says are durable in its partial file (its checkpoint), or null. */
  readonly checkpoint: number | null;
  /** Why the download last restarted from 0 (`ServerIgnoredRange`, `ValidatorChanged`...), or null when it never did. */
  readonly restart: RestartReason | null;
  /** The ByteStore key of the task's partial bytes (`part-<id>`, or the part it took over from resume data), or null for a data or upload task. */
  readonly partKey: string | null;
}

/** An outbox entry as a commit wrote it. */
export interface CommittedEvent {
  readonly sequence: number;
  readonly eventId: string;
  readonly type: 'downloadDidFinish' | 'taskDidComplete' | 'sessionDidBecomeInvalid';
  readonly taskIdentifier: number | null;
}

/** What happened, without the time and the process: see {@link TraceEntry}. */
export type TraceFact =
  | { readonly kind: 'launch'; readonly sessions: readonly string[] }
  | { readonly kind: 'kill'; readonly point: CrashPoint | null }
  | { readonly kind: 'powerLoss'; readonly point: CrashPoint | null }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'created'; readonly session: string; readonly taskIdentifier: number; readonly url: string }
  | {
      readonly kind: 'commit';
      readonly session: string;
      readonly durability: 'strict' | 'relaxed';
      readonly tasks: readonly CommittedTask[];
      readonly removedTasks: readonly number[];
      readonly events: readonly CommittedEvent[];
      readonly acknowledged: readonly number[];
      /**
       * Resume-data references the commit wrote (kept: true, the part keys a cancel or a failure
       * gave to resume data) or removed (kept: false: used, discarded or expired); absent when none.
       */
      readonly resumeData?: readonly { readonly partKey: string; readonly kept: boolean }[];
    }
  | {
      readonly kind: 'delivered';
      readonly session: string;
      readonly eventId: string;
      readonly type: CommittedEvent['type'];
      readonly taskIdentifier: number | null;
      /** For taskDidComplete: the error's code, or null on success. */
      readonly error: string | null;
    }
  | { readonly kind: 'handled'; readonly session: string; readonly eventId: string }
  | { readonly kind: 'progress'; readonly session: string; readonly taskIdentifier: number; readonly bytes: number }
  | { readonly kind: 'outcome'; readonly session: string; readonly taskIdentifier: number; readonly phase: TaskPhase }
  | { readonly kind: 'fault'; readonly description: string }
  | { readonly kind: 'note'; readonly text: string };

/**
 * One line of the world's trace: what happened, at which virtual time, in which process
 * generation (1 for the first launch, +1 at each relaunch).
 */
export type TraceEntry = TraceFact & { readonly at: number; readonly generation: number };
