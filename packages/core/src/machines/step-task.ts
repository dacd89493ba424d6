import { createActor, type AnyActorLogic, type AnyActorScope } from 'xstate';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';
import type { TaskEnvironment } from './task-environment.js';
import { taskMachine } from './task-machine.js';
import type { TaskStepResult } from './task-step-result.js';

/*
 * XState's pure `transition(machine, snapshot, event)` builds an inert actor scope (an actor, its
 * initial snapshot and two actor systems) on every call, which was three quarters of a step's cost
 * (B6). The task machine spawns nothing, delays nothing and emits nothing, so one inert scope built
 * the same way serves every step; `stepTask` reads what a step did from the context, never from
 * executed actions. `step-task.test.ts` checks that both paths agree.
 */
let inertScope: AnyActorScope | null = null;

function scope(): AnyActorScope {
  if (inertScope !== null) return inertScope;
  // Without input, as XState's own inert scope is built: the context factory tolerates it.
  const self = createActor(taskMachine as AnyActorLogic);
  inertScope = {
    self,
    id: '',
    sessionId: '',
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    actionExecutor: () => undefined,
  };
  return inertScope;
}

/**
 * Sends one event to a task at rest: rebuilds the machine state from the record (`resolveState`),
 * takes the machine's pure transition, and returns the new record with the effects to run. Nothing
 * is executed. An event that does not apply in the task's phase returns the same record, no effects
 * and `accepted: false` (Apple's "resume on a running task is a no-op").
 *
 * @example
 * ```ts
 * const { record: next, effects } = stepTask(record, { type: 'resume', now: clock.now() }, { retry });
 * next.phase; // 'scheduled'
 * effects; // [{ type: 'enqueue' }]
 * ```
 */
export function stepTask(record: TaskRecord, event: TaskEvent, env: TaskEnvironment): TaskStepResult {
  const snapshot = taskMachine.resolveState({ value: record.phase, context: { task: record, env, update: null } });
  const next = taskMachine.transition(snapshot, event, scope());
  const update = next.context.update;
  if (update === null) return { record, effects: [], durability: 'none', accepted: false };
  const phase = next.value as TaskPhase;
  const updated = update.task.phase === phase ? update.task : { ...update.task, phase };
  return { record: updated, effects: update.effects, durability: update.durability, accepted: true };
}
