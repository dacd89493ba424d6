import type { TaskPhase, TaskState } from '../model/task-types.js';

const statesByPhase: Readonly<Record<TaskPhase, TaskState>> = {
  created: 'suspended',
  suspended: 'suspended',
  scheduled: 'running',
  connecting: 'running',
  transferring: 'running',
  backingOff: 'running',
  handingOver: 'running',
  canceling: 'canceling',
  succeeded: 'completed',
  failed: 'completed',
  cancelled: 'completed',
  timedOut: 'completed',
};

/**
 * Apple's public state for a phase (semantics section 2, "States").
 *
 * @example
 * ```ts
 * publicState('backingOff'); // 'running'
 * ```
 */
export function publicState(phase: TaskPhase): TaskState {
  return statesByPhase[phase];
}

/**
 * Whether a phase is terminal: a completed task never changes again (invariant #4).
 *
 * @example
 * ```ts
 * isTerminalPhase('cancelled'); // true
 * ```
 */
export function isTerminalPhase(phase: TaskPhase): boolean {
  return statesByPhase[phase] === 'completed';
}
