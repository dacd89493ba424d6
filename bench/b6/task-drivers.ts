import { stepTask, type TaskEvent, type TaskPhase, type TaskRecord } from '@bgsession/core';
import { transition } from 'xstate';
import { bareInitialContext, bareTaskMachine, type BareContext } from './bare-task-machine.js';
import { benchEnv, benchTask } from './lifecycle-events.js';
import { switchTaskReducer, type SwitchState } from './switch-task-reducer.js';

/**
 * One way to run the task lifecycle. Each driver has its own loop, so the JIT sees one shape per
 * loop and no driver pays for another's polymorphism.
 */
export interface TaskDriver {
  readonly name: string;
  /** Sends `events` once from a new task and returns the phases it went through; throws if one is refused. */
  trace(events: readonly TaskEvent[]): TaskPhase[];
  /**
   * Sends `events` `cycles` times. With `create`, each cycle starts from a task created anew (the
   * creation is timed); without it, from one task created beforehand. Returns a value that depends
   * on every step, so no step can be optimized away.
   */
  run(events: readonly TaskEvent[], cycles: number, create: boolean): number;
}

const bgsession: TaskDriver = {
  name: 'bgsession stepTask',
  trace(events) {
    let record = benchTask(1);
    return events.map((event) => {
      const result = stepTask(record, event, benchEnv);
      if (!result.accepted) throw new Error(`bgsession refused ${event.type} in ${record.phase}`);
      record = result.record;
      return record.phase;
    });
  },
  run(events, cycles, create) {
    const first = benchTask(1);
    let sink = 0;
    for (let c = 0; c < cycles; c++) {
      let record: TaskRecord = create ? benchTask(c) : first;
      for (let i = 0; i < events.length; i++) record = stepTask(record, events[i] as TaskEvent, benchEnv).record;
      sink += record.phase.length;
    }
    return sink;
  },
};

interface BareState {
  readonly phase: TaskPhase;
  readonly context: BareContext;
}

// Exactly what stepTask does with the real machine: rebuild the snapshot from data at rest, then
// take the pure transition.
function bareStep(state: BareState, event: TaskEvent): BareState {
  const snapshot = bareTaskMachine.resolveState({ value: state.phase, context: state.context });
  const [next] = transition(bareTaskMachine, snapshot, event);
  return { phase: next.value as TaskPhase, context: next.context };
}

const bareXState: TaskDriver = {
  name: 'bare XState machine',
  trace(events) {
    let state: BareState = { phase: 'created', context: bareInitialContext };
    return events.map((event) => {
      const next = bareStep(state, event);
      if (next.context === state.context && next.phase === state.phase) throw new Error(`bare XState refused ${event.type} in ${state.phase}`);
      state = next;
      return state.phase;
    });
  },
  run(events, cycles, create) {
    const first: BareState = { phase: 'created', context: bareInitialContext };
    let sink = 0;
    for (let c = 0; c < cycles; c++) {
      let state: BareState = create ? { phase: 'created', context: { ...bareInitialContext, attempts: c & 1 } } : first;
      for (let i = 0; i < events.length; i++) state = bareStep(state, events[i] as TaskEvent);
      sink += state.phase.length;
    }
    return sink;
  },
};

const switchReducer: TaskDriver = {
  name: 'switch reducer',
  trace(events) {
    let state: SwitchState = { phase: 'created', context: bareInitialContext };
    return events.map((event) => {
      const next = switchTaskReducer(state, event);
      if (next === state) throw new Error(`switch reducer refused ${event.type} in ${state.phase}`);
      state = next;
      return state.phase;
    });
  },
  run(events, cycles, create) {
    const first: SwitchState = { phase: 'created', context: bareInitialContext };
    let sink = 0;
    for (let c = 0; c < cycles; c++) {
      let state: SwitchState = create ? { phase: 'created', context: { ...bareInitialContext, attempts: c & 1 } } : first;
      for (let i = 0; i < events.length; i++) state = switchTaskReducer(state, events[i] as TaskEvent);
      sink += state.phase.length;
    }
    return sink;
  },
};

/**
 * bgsession's `stepTask` first, then the two baselines of benchmarks.md: a bare XState machine with
 * the same states, driven the same way, and a `switch` reducer.
 *
 * @example
 * ```ts
 * for (const driver of taskDrivers) driver.trace(lifecycleEvents(1)).at(-1); // 'succeeded'
 * ```
 */
export const taskDrivers: readonly TaskDriver[] = [bgsession, bareXState, switchReducer];
