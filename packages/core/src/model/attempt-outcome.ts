import type { RestartReason } from './task-types.js';

/**
 * How an attempt's failure counts (the table of semantics section 4). Computed by
 * `classifyFailure` from the error and the request; applied by the task machine.
 */
export type AttemptOutcome =
  /** Spends an attempt and backs off. */
  | { readonly type: 'retryable' }
  /** Ends the task as failed. */
  | { readonly type: 'final' }
  /** Went offline or constraints no longer met: waits in `scheduled`, spends nothing. */
  | { readonly type: 'offline'; readonly reason: 'connectivity' | 'constraints' }
  /** An idempotent request's reused connection reset before any response byte: free once, at once. */
  | { readonly type: 'staleConnection' }
  /** A restart from 0: free for the first 3 in a row, then a retryable failure. */
  | { readonly type: 'restart'; readonly reason: RestartReason }
  /** Disk full: waits with reason `storage`, re-checked every 30 s, spends nothing. */
  | { readonly type: 'diskFull' };
