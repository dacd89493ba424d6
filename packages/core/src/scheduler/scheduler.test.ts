import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '../errors/bg-session-error.js';
import type { NetworkState } from '../ports/connectivity.js';
import {
  addTask,
  createScheduler,
  decide,
  has,
  queuedCount,
  releaseTask,
  removeTask,
  runningCount,
  setLimits,
  updateTask,
} from './scheduler.js';
import type { SchedulerEntry, SchedulerLimits, SchedulerState } from './scheduler-types.js';

const wifi: NetworkState = { online: true, expensive: false, constrained: false };
const cellular: NetworkState = { online: true, expensive: true, constrained: false };
const lowData: NetworkState = { online: true, expensive: false, constrained: true };
const offline: NetworkState = { online: false, expensive: false, constrained: false };
const roomy: SchedulerLimits = { maxConnectionsPerHost: 100, maxConcurrentTasks: 100 };

function entry(taskIdentifier: number, fields: Partial<SchedulerEntry> = {}): SchedulerEntry {
  return {
    taskIdentifier,
    origin: 'https://a.example',
    priority: 0.5,
    dueAt: null,
    allowsExpensiveNetwork: true,
    allowsConstrainedNetwork: true,
    discretionary: false,
    ...fields,
  };
}

function schedulerWith(limits: SchedulerLimits, entries: readonly SchedulerEntry[]): SchedulerState {
  let state = createScheduler(limits);
  for (const e of entries) state = addTask(state, e);
  return state;
}

describe('scheduler: order', () => {
  it.each([
    {
      row: 'higher priority first',
      entries: [entry(1, { priority: 0.2 }), entry(2, { priority: 0.9 }), entry(3, { priority: 0.5 })],
      expected: [2, 3, 1],
    },
    {
      row: 'FIFO within a priority',
      entries: [entry(5), entry(3), entry(9), entry(1)],
      expected: [5, 3, 9, 1],
    },
    {
      row: 'priority across origins',
      entries: [entry(1, { origin: 'https://a.example', priority: 0.1 }), entry(2, { origin: 'https://b.example', priority: 1 })],
      expected: [2, 1],
    },
  ])('$row', ({ entries, expected }) => {
    let state = schedulerWith({ maxConnectionsPerHost: 10, maxConcurrentTasks: 1 }, entries);
    const order: number[] = [];
    for (let i = 0; i < entries.length; i += 1) {
      const { start } = decide(state, 0, wifi);
      expect(start).toHaveLength(1);
      order.push(...start);
      state = releaseTask(state, start[0] as number);
    }
    expect(order).toEqual(expected);
  });

  it('lets a long-waiting low-priority task pass later high-priority ones (aging)', () => {
    let state = createScheduler({ maxConnectionsPerHost: 1, maxConcurrentTasks: 1 }, { agingWindow: 4 });
    state = addTask(state, entry(0, { priority: 0 }));
    const started: number[] = [];
    for (let id = 1; id <= 10; id += 1) {
      state = addTask(state, entry(id, { priority: 1 }));
      const { start } = decide(state, 0, wifi);
      started.push(...start);
      for (const s of start) state = releaseTask(state, s);
    }
    // Tasks 1..3 arrived within 4 insertions of task 0 and pass it; task 4 does not.
    expect(started.slice(0, 4)).toEqual([1, 2, 3, 0]);
  });
});

describe('scheduler: limits', () => {
  it('never starts more than maxConnectionsPerHost on one origin', () => {
    const state = schedulerWith({ maxConnectionsPerHost: 2, maxConcurrentTasks: 10 }, [
      entry(1),
      entry(2),
      entry(3),
      entry(4, { origin: 'https://b.example' }),
    ]);
    expect(decide(state, 0, wifi).start).toEqual([1, 2, 4]);
    expect(decide(state, 0, wifi).start).toEqual([]);
  });

  it('never starts more than maxConcurrentTasks in the session', () => {
    const state = schedulerWith({ maxConnectionsPerHost: 10, maxConcurrentTasks: 2 }, [
      entry(1),
      entry(2, { origin: 'https://b.example' }),
      entry(3, { origin: 'https://c.example' }),
    ]);
    expect(decide(state, 0, wifi).start).toEqual([1, 2]);
    expect(runningCount(state)).toBe(2);
    expect(queuedCount(state)).toBe(1);
  });

  it('release frees a slot for the next task', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 1, maxConcurrentTasks: 10 }, [entry(1), entry(2)]);
    expect(decide(state, 0, wifi).start).toEqual([1]);
    state = releaseTask(state, 1);
    expect(has(state, 1)).toBe(false);
    expect(decide(state, 0, wifi).start).toEqual([2]);
  });

  it('remove of a running task frees its slot', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 10, maxConcurrentTasks: 1 }, [entry(1), entry(2, { origin: 'https://b.example' })]);
    expect(decide(state, 0, wifi).start).toEqual([1]);
    state = removeTask(state, 1);
    expect(decide(state, 0, wifi).start).toEqual([2]);
  });

  it('remove of a queued task means it never starts', () => {
    let state = schedulerWith(roomy, [entry(1), entry(2)]);
    state = removeTask(state, 1);
    expect(decide(state, 0, wifi).start).toEqual([2]);
    expect(has(state, 1)).toBe(false);
  });

  it('lowering the limits stops new starts until enough slots are released', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 3, maxConcurrentTasks: 3 }, [entry(1), entry(2), entry(3), entry(4)]);
    expect(decide(state, 0, wifi).start).toEqual([1, 2, 3]);
    state = setLimits(state, { maxConnectionsPerHost: 1, maxConcurrentTasks: 3 });
    state = releaseTask(state, 1);
    state = releaseTask(state, 2);
    expect(decide(state, 0, wifi).start).toEqual([]);
    state = releaseTask(state, 3);
    expect(decide(state, 0, wifi).start).toEqual([4]);
  });

  it('raising the limits starts tasks an origin limit held back', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 1, maxConcurrentTasks: 10 }, [entry(1), entry(2)]);
    expect(decide(state, 0, wifi).start).toEqual([1]);
    state = setLimits(state, { maxConnectionsPerHost: 2, maxConcurrentTasks: 10 });
    expect(decide(state, 0, wifi).start).toEqual([2]);
  });

  it.each([
    { row: 'zero per host', limits: { maxConnectionsPerHost: 0, maxConcurrentTasks: 1 }, field: 'maxConnectionsPerHost' },
    { row: 'fractional session limit', limits: { maxConnectionsPerHost: 1, maxConcurrentTasks: 1.5 }, field: 'maxConcurrentTasks' },
  ])('rejects limits: $row', ({ limits, field }) => {
    expect(() => createScheduler(limits)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field }));
  });
});

describe('scheduler: due times', () => {
  it('does not start a task before its dueAt and reports it as nextWakeAt', () => {
    const state = schedulerWith(roomy, [entry(1, { dueAt: 5_000 }), entry(2, { dueAt: 3_000 }), entry(3)]);
    expect(decide(state, 1_000, wifi)).toEqual({ start: [3], nextWakeAt: 3_000, waiting: [] });
    expect(decide(state, 3_000, wifi)).toEqual({ start: [2], nextWakeAt: 5_000, waiting: [] });
    expect(decide(state, 9_000, wifi)).toEqual({ start: [1], nextWakeAt: null, waiting: [] });
  });

  it('a due task that waited for its time keeps its place in line', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 10, maxConcurrentTasks: 1 }, [entry(1, { dueAt: 100 }), entry(2)]);
    expect(decide(state, 0, wifi).start).toEqual([2]);
    state = releaseTask(state, 2);
    state = addTask(state, entry(3));
    expect(decide(state, 100, wifi).start).toEqual([1]);
  });

  it('update can postpone a queued task', () => {
    let state = schedulerWith(roomy, [entry(1)]);
    state = updateTask(state, entry(1, { dueAt: 50 }));
    expect(decide(state, 0, wifi)).toEqual({ start: [], nextWakeAt: 50, waiting: [] });
    expect(decide(state, 50, wifi).start).toEqual([1]);
  });
});

describe('scheduler: network', () => {
  it('offline: nothing starts, and each due task is reported waiting once', () => {
    let state = schedulerWith(roomy, [entry(1), entry(2), entry(3, { dueAt: 10 })]);
    expect(decide(state, 0, offline)).toEqual({
      start: [],
      nextWakeAt: 10,
      waiting: [
        { taskIdentifier: 1, reason: 'connectivity' },
        { taskIdentifier: 2, reason: 'connectivity' },
      ],
    });
    expect(decide(state, 5, offline).waiting).toEqual([]);
    expect(decide(state, 10, offline).waiting).toEqual([{ taskIdentifier: 3, reason: 'connectivity' }]);
    // An update starts a new wait.
    state = updateTask(state, entry(2, { priority: 0.9 }));
    expect(decide(state, 11, offline).waiting).toEqual([{ taskIdentifier: 2, reason: 'connectivity' }]);
    expect(decide(state, 12, wifi).start).toEqual([2, 1, 3]);
  });

  it('a task reported waiting is reported again only after it started and was added anew', () => {
    let state = schedulerWith(roomy, [entry(1)]);
    expect(decide(state, 0, offline).waiting).toHaveLength(1);
    expect(decide(state, 1, wifi).start).toEqual([1]);
    state = releaseTask(state, 1);
    state = addTask(state, entry(1));
    expect(decide(state, 2, offline).waiting).toEqual([{ taskIdentifier: 1, reason: 'connectivity' }]);
  });

  it.each([
    { row: 'expensive network, task disallows it', network: cellular, fields: { allowsExpensiveNetwork: false }, starts: false },
    { row: 'expensive network, task allows it', network: cellular, fields: {}, starts: true },
    { row: 'constrained network, task disallows it', network: lowData, fields: { allowsConstrainedNetwork: false }, starts: false },
    { row: 'constrained network, expensive-only restriction', network: lowData, fields: { allowsExpensiveNetwork: false }, starts: true },
    { row: 'discretionary on an expensive network', network: cellular, fields: { discretionary: true }, starts: false },
    { row: 'discretionary on a constrained network', network: lowData, fields: { discretionary: true }, starts: false },
    { row: 'discretionary on an unmetered, unconstrained network', network: wifi, fields: { discretionary: true }, starts: true },
  ])('$row', ({ network, fields, starts }) => {
    const state = schedulerWith(roomy, [entry(1, fields)]);
    const decision = decide(state, 0, network);
    expect(decision.start).toEqual(starts ? [1] : []);
    expect(decision.waiting).toEqual(starts ? [] : [{ taskIdentifier: 1, reason: 'constraints' }]);
  });

  it('a task held back by constraints does not hold back the others, and starts when the network allows it', () => {
    const state = schedulerWith(roomy, [entry(1, { priority: 1, allowsExpensiveNetwork: false }), entry(2, { priority: 0 })]);
    expect(decide(state, 0, cellular).start).toEqual([2]);
    expect(decide(state, 1, wifi)).toEqual({ start: [1], nextWakeAt: null, waiting: [] });
  });
});

describe('scheduler: updates', () => {
  it('update moving a task to another origin (redirect) counts it against the new origin', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 1, maxConcurrentTasks: 10 }, [
      entry(1, { origin: 'https://a.example' }),
      entry(2, { origin: 'https://a.example' }),
      entry(3, { origin: 'https://b.example' }),
    ]);
    state = updateTask(state, entry(2, { origin: 'https://b.example' }));
    // a: task 1; b: task 2 (older than 3) takes b's only slot.
    expect(decide(state, 0, wifi).start).toEqual([1, 2]);
    state = releaseTask(state, 2);
    expect(decide(state, 0, wifi).start).toEqual([3]);
  });

  it('adding a queued task again updates it in place', () => {
    let state = schedulerWith({ maxConnectionsPerHost: 10, maxConcurrentTasks: 1 }, [entry(1), entry(2)]);
    state = addTask(state, entry(2, { priority: 1 }));
    expect(queuedCount(state)).toBe(2);
    expect(decide(state, 0, wifi).start).toEqual([2]);
  });

  it('refuses to queue a task that holds a slot', () => {
    const state = schedulerWith(roomy, [entry(1)]);
    decide(state, 0, wifi);
    let error: unknown;
    try {
      updateTask(state, entry(1, { origin: 'https://b.example' }));
    } catch (caught) {
      error = caught;
    }
    expect(isBgSessionError(error, 'InvalidArgument')).toBe(true);
    expect(runningCount(state)).toBe(1);
  });

  it.each([
    { row: 'priority above 1', fields: { priority: 1.5 }, field: 'priority' },
    { row: 'NaN priority', fields: { priority: Number.NaN }, field: 'priority' },
    { row: 'NaN dueAt', fields: { dueAt: Number.NaN }, field: 'dueAt' },
  ])('rejects an entry with $row', ({ fields, field }) => {
    const state = createScheduler(roomy);
    expect(() => addTask(state, entry(1, fields))).toThrow(expect.objectContaining({ code: 'InvalidArgument', field }));
    expect(has(state, 1)).toBe(false);
  });
});
