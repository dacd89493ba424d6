// B6, core cost (design/benchmarks.md): the task machine's pure transitions against a bare XState
// machine and a switch reducer, one whole lifecycle, a scheduling decision among 100,000 queued
// tasks, and the heap of a session holding 100,000 queued tasks. Run it with `pnpm bench core`.
import { measureLifecycle } from './b6/measure-lifecycle.js';
import { measureScheduler } from './b6/measure-scheduler.js';
import { measureSessionHeap } from './b6/measure-session-heap.js';
import { measureTransitions } from './b6/measure-transitions.js';
import { sampleDriversIsolated, v8Settings } from './b6/sample-drivers-isolated.js';
import { benchOptions } from './lib/bench-options.js';
import type { Measurement } from './lib/measurement.js';
import { printMeasurement } from './lib/print-measurement.js';
import { writeResults } from './lib/write-results.js';

const options = benchOptions();
console.log(`B6  core cost${options.quick ? ' (BENCH_QUICK: smaller sizes, fewer runs)' : ''}, medians of ${options.runs} runs`);

const measurements: Measurement[] = [];
const record = (m: Measurement) => {
  printMeasurement(m);
  measurements.push(m);
};
// The heap first, while the heap holds nothing else.
const heap = await measureSessionHeap(options);
const bySetting = sampleDriversIsolated(options);
// One table per V8 setting, suffixed a, b...: the goals must hold under each.
const settings = v8Settings.map((setting, i) => ({ setting, suffix: String.fromCharCode(97 + i), samples: bySetting.get(setting.label) ?? [] }));
for (const { setting, suffix, samples } of settings) record(measureTransitions(samples, setting, suffix));
for (const { setting, suffix, samples } of settings) record(measureLifecycle(samples, setting, suffix));
record(measureScheduler(options));
record(heap);

const path = writeResults('b6', { quick: options.quick, runs: options.runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB6: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
