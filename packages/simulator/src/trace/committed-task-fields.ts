import { restartReasons, taskPhases } from '@bgsession/core';
import type { CommittedTask } from './trace-entry.js';

const phases: ReadonlySet<string> = new Set(taskPhases);
const reasons: ReadonlySet<string> = new Set(restartReasons);

/** What the trace and the world's log read of a committed task record. */
export interface CommittedTaskFields extends CommittedTask {
  /** When the task is due to run again (a backoff or `earliestBeginDate`), or null. */
  readonly dueAt: number | null;
}

/**
 * Reads the few fields the trace needs (phase, checkpoint, due time, last restart reason, part key)
 * from a task record as the Store was given it (the shipped encoder's output: flat fields, a field
 * at its default left out), without decoding the whole record: a simulated day commits hundreds of
 * thousands of checkpoints, and a full decode of each was a tenth of the world's time. Null when
 * those fields are not there as expected.
 *
 * @example
 * ```ts
 * committedTaskFields({ v: 1, taskIdentifier: 3, phase: 'running', checkpoint: { offset: 4096 } });
 * // { taskIdentifier: 3, phase: 'running', checkpoint: 4096, dueAt: null, restart: null, partKey: null }
 * ```
 */
export function committedTaskFields(value: unknown): CommittedTaskFields | null {
  if (typeof value !== 'object' || value === null) return null;
  const { taskIdentifier, phase, checkpoint = null, dueAt = null, lastRestart = null, partKey = null } = value as Readonly<Record<string, unknown>>;
  if (typeof taskIdentifier !== 'number' || !Number.isSafeInteger(taskIdentifier) || typeof phase !== 'string' || !phases.has(phase)) return null;
  if (dueAt !== null && typeof dueAt !== 'number') return null;
  if (lastRestart !== null && (typeof lastRestart !== 'string' || !reasons.has(lastRestart))) return null;
  if (partKey !== null && typeof partKey !== 'string') return null;
  let offset: number | null = null;
  if (checkpoint !== null) {
    const kept = typeof checkpoint === 'object' ? (checkpoint as Readonly<Record<string, unknown>>)['offset'] : undefined;
    if (typeof kept !== 'number') return null;
    offset = kept;
  }
  return { taskIdentifier, phase: phase as CommittedTask['phase'], checkpoint: offset, dueAt, restart: lastRestart as CommittedTask['restart'], partKey };
}
