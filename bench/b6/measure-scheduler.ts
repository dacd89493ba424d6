import { addTask, createScheduler, decide, queuedCount, releaseTask, type NetworkState, type SchedulerState } from '@bgsession/core';
import { performance } from 'node:perf_hooks';
import type { BenchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median, quantile } from '../lib/median.js';
import { formatFigure } from '../lib/print-measurement.js';

const origins = 1000;
const limits = { maxConnectionsPerHost: 6, maxConcurrentTasks: 16 };
const online: NetworkState = { online: true, expensive: false, constrained: false };
/** Tasks released (their attempt ended) before each timed decision; the decision starts as many. */
const turnover = 4;
const now = 1_700_000_000_000;

/** How the queued tasks are laid out over the origins. */
type Layout = 'interleaved' | 'grouped';

// Three priorities, in a fixed pseudo-random order, so the aging keys and the lane heaps are exercised.
const priorityOf = (i: number) => [0.25, 0.5, 0.75][(Math.imul(i, 2_654_435_761) >>> 0) % 3] as number;
const originOf = (i: number, queued: number, layout: Layout) =>
  `https://h${layout === 'interleaved' ? i % origins : Math.floor((i % queued) / (queued / origins))}.example`;

interface Scenario {
  readonly decideMicros: number[];
  readonly addMs: number;
  readonly firstDecideMicros: number;
}

/**
 * Fills a scheduler with `queued` tasks, then repeats the steady state of a busy session: release a
 * few running tasks, queue as many new ones (so the queue stays full), and time the `decide` that
 * starts the released slots' successors.
 */
function runScenario(queued: number, decisions: number, layout: Layout): Scenario {
  let state: SchedulerState = createScheduler(limits);
  const entry = (i: number) => ({
    taskIdentifier: i, origin: originOf(i, queued, layout), priority: priorityOf(i), dueAt: null,
    allowsExpensiveNetwork: true, allowsConstrainedNetwork: true, discretionary: false,
  });
  const addStart = performance.now();
  for (let i = 0; i < queued; i++) state = addTask(state, entry(i));
  const addMs = performance.now() - addStart;
  let t = process.hrtime.bigint();
  const first = decide(state, now, online);
  const firstDecideMicros = Number(process.hrtime.bigint() - t) / 1000;
  const running: number[] = [...first.start];
  let next = queued;
  const decideMicros: number[] = [];
  for (let d = 0; d < decisions; d++) {
    for (const id of running.splice(0, turnover)) state = releaseTask(state, id);
    for (let k = 0; k < turnover; k++) state = addTask(state, entry(next++));
    t = process.hrtime.bigint();
    const decision = decide(state, now, online);
    decideMicros.push(Number(process.hrtime.bigint() - t) / 1000);
    if (decision.start.length !== turnover) throw new Error(`decide started ${decision.start.length} tasks, expected ${turnover}`);
    running.push(...decision.start);
  }
  if (queuedCount(state) !== queued - limits.maxConcurrentTasks) throw new Error(`queue drifted to ${queuedCount(state)}`);
  return { decideMicros, addMs, firstDecideMicros };
}

/**
 * B6.3: a scheduling decision with 100,000 queued tasks over 1,000 origins, limits 6 per origin and
 * 16 in all, in the steady state (a few slots released, as many tasks started). Two layouts: tasks
 * interleaved over the origins, and grouped by origin (the per-origin limit binds at every
 * decision). Goal: the slower layout's median decision under 50 us.
 *
 * @example
 * ```ts
 * printMeasurement(measureScheduler(benchOptions()));
 * ```
 */
export function measureScheduler(options: BenchOptions): Measurement {
  const queued = 100_000;
  const decisions = options.quick ? 400 : 2000;
  const layouts: readonly Layout[] = ['interleaved', 'grouped'];
  // One untimed pass per layout warms the JIT up.
  for (const layout of layouts) runScenario(20_000, 200, layout);
  const runs = new Map<Layout, Scenario[]>(layouts.map((layout) => [layout, []]));
  for (let r = 0; r < options.runs; r++) for (const layout of layouts) runs.get(layout)?.push(runScenario(queued, decisions, layout));
  const of = (layout: Layout) => runs.get(layout) ?? [];
  const notes = layouts.map((layout) => {
    const all = of(layout).flatMap((s) => s.decideMicros);
    return `${layout}: p99 decide ${formatFigure(quantile(all, 0.99))} us over ${all.length} decisions; adding ${queued.toLocaleString('en-US')} tasks ${formatFigure(median(of(layout).map((s) => s.addMs)))} ms; first decide ${formatFigure(median(of(layout).map((s) => s.firstDecideMicros)))} us`;
  });
  return measurement({
    id: 'b6.3',
    title: `scheduling decision, ${queued.toLocaleString('en-US')} queued tasks over ${origins} origins, limits 6/16, ${turnover} released then ${turnover} started`,
    unit: 'us/decision',
    contenders: layouts.map((layout) => ({ name: `bgsession decide (${layout})`, samples: of(layout).map((s) => median(s.decideMicros)) })),
    compare: false,
    goal: { subject: 'slower layout, median decide', limit: 50, comparison: '<', unit: ' us', value: (medians) => Math.max(...medians) },
    notes,
  });
}
