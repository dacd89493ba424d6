// One contender of B6.1 and B6.2, timed alone in a fresh process: see `sampleDriversIsolated`.
// Usage (from the bench runner only): node <execArgv> b6/driver-worker.ts <driver index> <target ms> <slices>
import { performance } from 'node:perf_hooks';
import { sampleInterleaved, type TimedContender } from '../lib/sample-interleaved.js';
import { cycleCheckpoints, lifecycleEvents } from './lifecycle-events.js';
import { taskDrivers } from './task-drivers.js';

const [index, targetMs, slices] = process.argv.slice(2).map(Number);
const driver = taskDrivers[index ?? -1];
if (driver === undefined || !(Number(targetMs) > 0) || !(Number(slices) > 0)) throw new Error('usage: driver-worker.ts <driver index> <target ms> <slices>');
const cycle = lifecycleEvents(cycleCheckpoints);
const lifecycle = lifecycleEvents(1);
let sink = 0;
const workloads: TimedContender[] = [
  { name: 'cycle', run: (n) => void (sink += driver.run(cycle, n, false)) },
  { name: 'lifecycle', run: (n) => void (sink += driver.run(lifecycle, n, true)) },
];
// A fresh process runs cold code: keep compiling out of the figures by running each workload for
// a while first (V8 tiers a hot function up within some tens of ms; a few times that is safe).
for (const workload of workloads) {
  const start = performance.now();
  for (let n = 1; performance.now() - start < 2 * Number(targetMs); n = Math.min(n * 2, 4096)) workload.run(n);
}
const [transitions, lifecycles] = sampleInterleaved(workloads, { runs: Number(slices), targetMs: Number(targetMs) });
process.stdout.write(
  JSON.stringify({
    name: driver.name,
    trace: driver.trace(cycle).join(' '),
    lifecycleEnd: driver.trace(lifecycle).at(-1),
    nsPerTransition: transitions?.msPerIteration.map((ms) => (ms * 1e6) / cycle.length),
    msPerLifecycle: lifecycles?.msPerIteration,
    sink,
  }),
);
