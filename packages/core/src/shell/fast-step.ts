import { stepTask } from '../machines/step-task.js';
import * as h from '../machines/task-handlers.js';
import type { TaskEnvironment } from '../machines/task-environment.js';
import type { TaskStepResult } from '../machines/task-step-result.js';
import type { TaskUpdate } from '../machines/task-update.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';

/** Where a transition leads, and what its handler made of the record. */
type Direct = readonly [TaskPhase, TaskUpdate];

/**
 * The steps taken most, as the task machine (`task-machine.ts`) defines them: each is one
 * transition with at most a guard on the record, and one handler.
 */
function directStep(record: TaskRecord, event: TaskEvent): Direct | undefined {
  const phase = record.phase;
  switch (event.type) {
    case 'resume':
      // A new task created running (the default) is resumed in its creation commit.
      return phase === 'created' || phase === 'suspended' ? ['scheduled', h.resumeTask(record, event)] : undefined;
    case 'constraintsChanged':
      // Told whether the network meets its constraints while waiting: no target, `noteConstraints`.
      if ((phase === 'scheduled' && record.reason !== 'delegated') || phase === 'backingOff') return [phase, h.noteConstraints(record, event)];
      return undefined;
    case 'slotGranted':
      if ((phase === 'scheduled' && record.reason !== 'delegated') || phase === 'backingOff') return ['connecting', h.startAttempt(record)];
      return undefined;
    case 'responseStarted':
      return phase === 'connecting' ? ['transferring', h.beginBody(record, event)] : undefined;
    case 'bytesDurable':
      return phase === 'transferring' ? ['transferring', h.recordCheckpoint(record, event)] : undefined;
    case 'bodyEnded':
      if (phase !== 'transferring') return undefined;
      return record.kind === 'download' ? ['handingOver', h.beginHandOver(record, event)] : ['succeeded', h.finishWithResponse(record, event)];
    case 'handedOver':
      return phase === 'handingOver' ? ['succeeded', h.finishHandOver(record, event)] : undefined;
    default:
      return undefined;
  }
}

/**
 * `stepTask`, with the steps every task takes most taken without the machine: a resume (of a new
 * or suspended task), a waiting task told whether the network meets its constraints, a slot granted, a response head, a checkpoint, the
 * body's end and the hand-over. Each is one transition to a handler of `task-handlers.ts`, so it
 * calls that handler directly. Through XState a step costs a state resolution and a macrostep
 * (B3's small downloads take six of them each, B6); its allocation sites are also pretenured by V8,
 * so the 100,000 notices of a relaunch offline (B5) left a quarter of the heap's pages half empty.
 * Every other step is `stepTask`'s; `fast-step.test.ts` checks both agree on every step here.
 *
 * @example
 * ```ts
 * const result = fastStep(record, { type: 'slotGranted', now }, { retry });
 * result.record.phase; // 'connecting'
 * ```
 */
export function fastStep(record: TaskRecord, event: TaskEvent, env: TaskEnvironment): TaskStepResult {
  const direct = directStep(record, event);
  if (direct === undefined) return stepTask(record, event, env);
  const [phase, update] = direct;
  const updated = update.task.phase === phase ? update.task : { ...update.task, phase };
  return { record: updated, effects: update.effects, durability: update.durability, accepted: true };
}
