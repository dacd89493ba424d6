import type { DurableEventPayload } from './outbox.js';
import type { TaskTimer } from './task-events.js';

/** A non-durable event for the app (progress events are sent by the pump, not the machine). */
export type TransientEventPayload =
  | { readonly type: 'taskIsWaitingForConnectivity'; readonly taskIdentifier: number }
  | { readonly type: 'taskWillBeginDelayedRequest'; readonly taskIdentifier: number };

/**
 * What the task machine asks the shell to do, as data. The shell executes them in order, after
 * committing the record the step produced (durably when `StepResult.durability` says so).
 */
export type TaskEffect =
  /** The task wants a slot: add it to (or update it in) the scheduler; `dueAt` from the record. */
  | { readonly type: 'enqueue' }
  /** Remove the task from the scheduler. */
  | { readonly type: 'dequeue' }
  /** Start an attempt (the pump) for the task as recorded. */
  | { readonly type: 'startAttempt' }
  /** Abort the attempt in flight, if any. */
  | { readonly type: 'abortAttempt' }
  | { readonly type: 'armTimer'; readonly timer: TaskTimer; readonly at: number }
  | { readonly type: 'disarmTimer'; readonly timer: TaskTimer }
  /** Delete bytes the task owns (partial bytes, an owned body, a data response). */
  | { readonly type: 'deleteBytes'; readonly key: string }
  /** Move the finished bytes to the recorded `handOver.target` (the record already says `handingOver`). */
  | { readonly type: 'handOver' }
  /** Hand the kept partial bytes to resume data instead of deleting them. */
  | { readonly type: 'produceResumeData' }
  | { readonly type: 'emit'; readonly event: TransientEventPayload }
  /**
   * The task ended: these events enter the outbox in the same atomic, durable commit as the
   * record (the shell gives them their `eventId` and sequence).
   */
  | { readonly type: 'end'; readonly events: readonly DurableEventPayload[] };

/** How the record a step produced must be written. */
export type StepDurability =
  /** Durable before any effect runs, in every durability mode (a non-idempotent attempt's start). */
  | 'always'
  /** Durable before any effect runs (creation, checkpoint, hand-over, end); a relaxed session may commit it relaxed (written, synced soon after) unless it ends the task. */
  | 'strict'
  /** May be written lazily (per the durability mode). */
  | 'lazy'
  /** Changed, but not written on its own: the task's next commit writes the whole record (an idempotent attempt's start, ADR 16). */
  | 'deferred'
  /** Nothing changed. */
  | 'none';
