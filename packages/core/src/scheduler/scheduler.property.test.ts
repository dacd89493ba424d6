import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NetworkState } from '../ports/connectivity.js';
import { addTask, createScheduler, decide, releaseTask, removeTask, setLimits, updateTask } from './scheduler.js';
import { defaultAgingWindow, type SchedulerEntry, type SchedulerLimits, type SchedulerOptions } from './scheduler-types.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);
// Planted-bug checks must find a counterexample whatever the configured run count.
const plantedRuns = Math.max(runs, 300);

/** The scheduler's functions, so a test can swap in a deliberately broken one. */
interface SchedulerImpl {
  readonly createScheduler: typeof createScheduler;
  readonly addTask: typeof addTask;
  readonly updateTask: typeof updateTask;
  readonly removeTask: typeof removeTask;
  readonly releaseTask: typeof releaseTask;
  readonly setLimits: typeof setLimits;
  readonly decide: typeof decide;
}
const realImpl: SchedulerImpl = { createScheduler, addTask, updateTask, removeTask, releaseTask, setLimits, decide };

// ---------------------------------------------------------------------------------------------
// Random operation sequences, checked against a plain model after every decision.

interface TaskFields {
  readonly origin: number;
  readonly priority: number;
  readonly dueIn: number | null;
  readonly allowsExpensiveNetwork: boolean;
  readonly allowsConstrainedNetwork: boolean;
  readonly discretionary: boolean;
}
type Op =
  | ({ readonly type: 'add' } & TaskFields)
  | ({ readonly type: 'update'; readonly pick: number } & TaskFields)
  | { readonly type: 'remove'; readonly pick: number }
  | { readonly type: 'release'; readonly pick: number }
  | { readonly type: 'limits'; readonly limits: SchedulerLimits }
  | { readonly type: 'network'; readonly network: NetworkState }
  | { readonly type: 'advance'; readonly ms: number };
interface Scenario {
  readonly limits: SchedulerLimits;
  readonly network: NetworkState;
  readonly ops: readonly Op[];
}

const limitsArb = fc.record({ maxConnectionsPerHost: fc.integer({ min: 1, max: 3 }), maxConcurrentTasks: fc.integer({ min: 1, max: 6 }) });
// Mostly a good network, so queues fill up against the limits; the rest of the time any network.
const networkArb: fc.Arbitrary<NetworkState> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ online: true, expensive: false, constrained: false }) },
  { weight: 3, arbitrary: fc.record({ online: fc.boolean(), expensive: fc.boolean(), constrained: fc.boolean() }) },
);
const taskFieldsArb = fc.record({
  origin: fc.integer({ min: 0, max: 3 }),
  priority: fc.oneof(fc.constantFrom(0, 0.5, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  dueIn: fc.option(fc.integer({ min: -5, max: 40 }), { nil: null, freq: 2 }),
  allowsExpensiveNetwork: fc.boolean(),
  allowsConstrainedNetwork: fc.boolean(),
  discretionary: fc.boolean(),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: taskFieldsArb.map((fields) => ({ type: 'add' as const, ...fields })) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(), taskFieldsArb).map(([pick, fields]) => ({ type: 'update' as const, pick, ...fields })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ type: 'remove' as const, pick })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ type: 'release' as const, pick })) },
  { weight: 1, arbitrary: limitsArb.map((limits) => ({ type: 'limits' as const, limits })) },
  { weight: 2, arbitrary: networkArb.map((network) => ({ type: 'network' as const, network })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }).map((ms) => ({ type: 'advance' as const, ms })) },
);
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({ limits: limitsArb, network: networkArb, ops: fc.array(opArb, { minLength: 5, maxLength: 100, size: 'max' }) });

type Rule = '#12' | '#14' | '#15' | '#16' | 'waiting' | 'model';
interface ModelTask {
  entry: SchedulerEntry;
  running: boolean;
  /** The wait reason the task was last told, or null: told again only when the reason changes. */
  reported: 'connectivity' | 'constraints' | null;
}

const allows = (entry: SchedulerEntry, network: NetworkState): boolean =>
  network.online &&
  (!network.expensive || (entry.allowsExpensiveNetwork && !entry.discretionary)) &&
  (!network.constrained || (entry.allowsConstrainedNetwork && !entry.discretionary));
const isDue = (entry: SchedulerEntry, now: number): boolean => entry.dueAt === null || entry.dueAt <= now;

/** Runs a scenario and returns the first broken rule, `model` meaning the scheduler contradicted its own API. */
function firstViolation(scenario: Scenario, impl: SchedulerImpl): { rule: Rule; message: string } | undefined {
  let limits = scenario.limits;
  let network = scenario.network;
  let now = 1_000;
  let nextId = 1;
  let state = impl.createScheduler(limits);
  const model = new Map<number, ModelTask>();
  const entryOf = (taskIdentifier: number, fields: TaskFields): SchedulerEntry => ({
    taskIdentifier,
    origin: `https://o${fields.origin}.example`,
    priority: fields.priority,
    dueAt: fields.dueIn === null ? null : now + fields.dueIn,
    allowsExpensiveNetwork: fields.allowsExpensiveNetwork,
    allowsConstrainedNetwork: fields.allowsConstrainedNetwork,
    discretionary: fields.discretionary,
  });
  const pickFrom = (running: boolean, pick: number): ModelTask | undefined => {
    const candidates = [...model.values()].filter((task) => task.running === running);
    return candidates[pick % Math.max(candidates.length, 1)];
  };
  for (const op of scenario.ops) {
    if (op.type === 'add') {
      const entry = entryOf(nextId, op);
      nextId += 1;
      state = impl.addTask(state, entry);
      model.set(entry.taskIdentifier, { entry, running: false, reported: null });
    } else if (op.type === 'update') {
      const task = pickFrom(false, op.pick);
      if (task !== undefined) {
        task.entry = entryOf(task.entry.taskIdentifier, op);
        task.reported = null;
        state = impl.updateTask(state, task.entry);
      }
    } else if (op.type === 'remove' || op.type === 'release') {
      const task = op.type === 'remove' ? pickFrom(op.pick % 2 === 0, op.pick >> 1) : pickFrom(true, op.pick);
      if (task !== undefined) {
        model.delete(task.entry.taskIdentifier);
        state = op.type === 'remove' ? impl.removeTask(state, task.entry.taskIdentifier) : impl.releaseTask(state, task.entry.taskIdentifier);
      }
    } else if (op.type === 'limits') {
      limits = op.limits;
      state = impl.setLimits(state, limits);
    } else if (op.type === 'network') {
      network = op.network;
    } else {
      now += op.ms;
    }

    const decision = impl.decide(state, now, network);
    for (const id of decision.start) {
      const task = model.get(id);
      if (task === undefined || task.running) return { rule: 'model', message: `started ${id}, which was not queued` };
      if (!isDue(task.entry, now)) return { rule: '#12', message: `started ${id} at ${now}, before its dueAt ${task.entry.dueAt}` };
      if (!allows(task.entry, network)) return { rule: '#15', message: `started ${id} on ${JSON.stringify(network)}: ${JSON.stringify(task.entry)}` };
      task.running = true;
    }
    const perOrigin = new Map<string, number>();
    let running = 0;
    for (const task of model.values()) {
      if (!task.running) continue;
      running += 1;
      perOrigin.set(task.entry.origin, (perOrigin.get(task.entry.origin) ?? 0) + 1);
    }
    // Lowering the limits does not stop attempts already running, so only origins that just got
    // a start (and the session, if anything started) must be within them.
    for (const id of decision.start) {
      const origin = model.get(id)?.entry.origin ?? '';
      if ((perOrigin.get(origin) ?? 0) > limits.maxConnectionsPerHost) return { rule: '#14', message: `${perOrigin.get(origin)} attempts on ${origin}` };
    }
    if (decision.start.length > 0 && running > limits.maxConcurrentTasks) return { rule: '#14', message: `${running} attempts in the session` };

    const reason = network.online ? 'constraints' : 'connectivity';
    for (const { taskIdentifier, reason: given } of decision.waiting) {
      const task = model.get(taskIdentifier);
      if (given === 'slot') {
        // The network ended a wait the task was told about: told once, and a later block is a new wait.
        if (task === undefined || task.running || !isDue(task.entry, now) || !allows(task.entry, network) || task.reported === null) {
          return { rule: 'waiting', message: `${taskIdentifier} reported waiting for a slot, wrongly` };
        }
        task.reported = null;
        continue;
      }
      if (task === undefined || task.running || !isDue(task.entry, now) || allows(task.entry, network) || given !== reason) {
        return { rule: 'waiting', message: `${taskIdentifier} reported waiting for ${given}, wrongly` };
      }
      if (task.reported === given) return { rule: 'waiting', message: `${taskIdentifier} reported twice in one wait for ${given}` };
      task.reported = given;
    }
    let expectedWake: number | null = null;
    for (const task of model.values()) {
      if (task.running) continue;
      const { entry } = task;
      if (!isDue(entry, now)) {
        expectedWake = expectedWake === null ? (entry.dueAt as number) : Math.min(expectedWake, entry.dueAt as number);
      } else if (!allows(entry, network)) {
        if (task.reported !== reason) return { rule: 'waiting', message: `${entry.taskIdentifier} is blocked for ${reason} and was told ${String(task.reported)}` };
      } else if (running < limits.maxConcurrentTasks && (perOrigin.get(entry.origin) ?? 0) < limits.maxConnectionsPerHost) {
        return { rule: '#16', message: `${entry.taskIdentifier} could start but was left waiting` };
      } else if (task.reported !== null) {
        return { rule: 'waiting', message: `${entry.taskIdentifier} waits for a slot and was last told it waits for ${task.reported}` };
      }
    }
    if (decision.nextWakeAt !== expectedWake) return { rule: '#12', message: `nextWakeAt ${decision.nextWakeAt}, expected ${expectedWake}` };
  }
  return undefined;
}

/** A property: no violation of `rule` (nor of the model) in any scenario. */
function holds(rule: Rule, impl: SchedulerImpl) {
  return fc.property(scenarioArb, (scenario) => {
    const violation = firstViolation(scenario, impl);
    if (violation !== undefined && (violation.rule === rule || violation.rule === 'model')) {
      throw new Error(`${violation.rule}: ${violation.message}`);
    }
  });
}

// Broken schedulers built from the real one: each must make its property fail.
const bump = (limits: SchedulerLimits): SchedulerLimits => ({
  maxConnectionsPerHost: limits.maxConnectionsPerHost + 1,
  maxConcurrentTasks: limits.maxConcurrentTasks + 1,
});
const shrink = (limits: SchedulerLimits): SchedulerLimits => ({
  maxConnectionsPerHost: Math.max(1, limits.maxConnectionsPerHost - 1),
  maxConcurrentTasks: Math.max(1, limits.maxConcurrentTasks - 1),
});
const overLimits: SchedulerImpl = { ...realImpl, createScheduler: (l) => createScheduler(bump(l)), setLimits: (s, l) => setLimits(s, bump(l)) };
const idleSlots: SchedulerImpl = { ...realImpl, createScheduler: (l) => createScheduler(shrink(l)), setLimits: (s, l) => setLimits(s, shrink(l)) };
const ignoresCost: SchedulerImpl = { ...realImpl, decide: (s, now, n) => decide(s, now, { online: n.online, expensive: false, constrained: false }) };
const early: SchedulerImpl = { ...realImpl, decide: (s, now, n) => decide(s, now + 1, n) };
const silent: SchedulerImpl = { ...realImpl, decide: (s, now, n) => ({ ...decide(s, now, n), waiting: [] }) };
const neverUnblocks: SchedulerImpl = {
  ...realImpl,
  decide: (s, now, n) => {
    const decision = decide(s, now, n);
    return { ...decision, waiting: decision.waiting.filter((entry) => entry.reason !== 'slot') };
  },
};

// ---------------------------------------------------------------------------------------------
// An endless stream of higher-priority tasks against one low-priority task.

interface StreamCase {
  /** Priorities of the tasks already queued when the low-priority task arrives. */
  readonly initial: readonly number[];
  readonly lowPriority: number;
  readonly limits: SchedulerLimits;
  readonly origins: number;
}
const streamCaseArb: fc.Arbitrary<StreamCase> = fc.record({
  initial: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }),
  lowPriority: fc.double({ min: 0, max: 0.99, noNaN: true }),
  limits: limitsArb,
  origins: fc.integer({ min: 1, max: 3 }),
});
const maxSteps = 5_000;
const wifi: NetworkState = { online: true, expensive: false, constrained: false };

/**
 * Each step adds `maxConcurrentTasks` new priority-1 tasks (enough to fill every slot), decides,
 * and releases what started. Returns the step at which the low-priority task started, or null if
 * it had not after `maxSteps`.
 */
function stepWhenLowStarts(streamCase: StreamCase, options: SchedulerOptions): number | null {
  let state = createScheduler(streamCase.limits, options);
  let lastId = 0;
  const add = (priority: number): number => {
    lastId += 1;
    state = addTask(state, {
      taskIdentifier: lastId,
      origin: `https://o${lastId % streamCase.origins}.example`,
      priority,
      dueAt: null,
      allowsExpensiveNetwork: true,
      allowsConstrainedNetwork: true,
      discretionary: false,
    });
    return lastId;
  };
  for (const priority of streamCase.initial) add(priority);
  const low = add(streamCase.lowPriority);
  for (let step = 1; step <= maxSteps; step += 1) {
    for (let k = 0; k < streamCase.limits.maxConcurrentTasks; k += 1) add(1);
    const { start } = decide(state, 0, wifi);
    if (start.includes(low)) return step;
    for (const id of start) state = releaseTask(state, id);
  }
  return null;
}

/**
 * The bound: every decision that does not start the low task starts at least one task ordered
 * before it (one of its own origin's, or the session's best), and only the tasks queued before it
 * plus fewer than `agingWindow` later arrivals are ordered before it (key = seq - priority *
 * agingWindow). So it starts by step `initial + agingWindow + 1` (the 1 absorbs a key tie
 * that floating-point rounding may break the other way).
 */
function noStarvation(agingWindows: fc.Arbitrary<number>) {
  return fc.property(streamCaseArb, agingWindows, (streamCase, agingWindow) => {
    const step = stepWhenLowStarts(streamCase, { agingWindow });
    const bound = streamCase.initial.length + agingWindow + 1;
    if (step === null || step > bound) throw new Error(`low task started at step ${String(step)}, bound ${bound}`);
  });
}

const fails = (property: fc.IProperty<[Scenario]>): boolean => fc.check(property, { numRuns: plantedRuns, endOnFailure: true }).failed;

describe('scheduler properties', () => {
  it('#14 limits hold: never more than maxConnectionsPerHost attempts per origin nor maxConcurrentTasks in the session', () => {
    fc.assert(holds('#14', realImpl), { numRuns: runs });
  });

  it('#15 constraints hold: no task starts on an expensive or constrained network it does not allow; a discretionary task never does', () => {
    fc.assert(holds('#15', realImpl), { numRuns: runs });
  });

  it('#15 constraints hold: a due task the network blocks is reported waiting once per wait, again only when the reason changes (offline, then online but metered), and told once when the network lets it wait for a slot instead', () => {
    fc.assert(holds('waiting', realImpl), { numRuns: runs });
  });

  it('#12 due times hold: no task starts before its dueAt, and nextWakeAt is the earliest dueAt still ahead', () => {
    fc.assert(holds('#12', realImpl), { numRuns: runs });
  });

  it('#16 no starvation: decide leaves no due, allowed task waiting while its origin and the session have a free slot', () => {
    fc.assert(holds('#16', realImpl), { numRuns: runs });
  });

  it('#16 no starvation: a resumed task whose constraints are met gets an attempt even under an endless stream of higher-priority tasks', () => {
    fc.assert(noStarvation(fc.constantFrom(defaultAgingWindow, 8, 100)), { numRuns: runs });
  });

  it('#16 no starvation: a scheduler without aging fails the same check', () => {
    const withoutAging = fc.property(streamCaseArb, (streamCase) => {
      if (stepWhenLowStarts(streamCase, { agingWindow: Infinity }) === null) throw new Error('the low task starved');
    });
    expect(fc.check(withoutAging, { numRuns: plantedRuns, endOnFailure: true }).failed).toBe(true);
  });

  it('each of these properties catches its planted bug', () => {
    expect(fails(holds('#14', overLimits))).toBe(true);
    expect(fails(holds('#15', ignoresCost))).toBe(true);
    expect(fails(holds('waiting', silent))).toBe(true);
    expect(fails(holds('waiting', neverUnblocks))).toBe(true);
    expect(fails(holds('#12', early))).toBe(true);
    expect(fails(holds('#16', idleSlots))).toBe(true);
  });
});
