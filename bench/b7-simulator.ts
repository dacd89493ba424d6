// B7, simulator speed (design/benchmarks.md): one virtual day of a fixed, seeded workload run by
// the shipped session on the simulator, against the wall clock. Run it with `pnpm bench simulator`.
import { simulateDay } from './b7/simulated-day.js';
import { benchOptions } from './lib/bench-options.js';
import { measurement, type Measurement } from './lib/measurement.js';
import { printMeasurement } from './lib/print-measurement.js';
import { writeResults } from './lib/write-results.js';

const options = benchOptions();
const runs = Math.min(options.runs, options.quick ? 2 : 3);
const workload = options.quick ? { downloads: 100, maxMiB: 8, hours: 3 } : { downloads: 1_000, maxMiB: 64, hours: 24 };
console.log(`B7  simulator speed${options.quick ? ' (BENCH_QUICK: 100 downloads of 1-8 MiB over 3 virtual hours)' : ': 1,000 downloads of 1-64 MiB over one virtual day'}, medians of ${runs} runs`);

const speedups: number[] = [];
const wallPerDay: number[] = [];
let last = null as Awaited<ReturnType<typeof simulateDay>> | null;
for (let run = 0; run < runs; run += 1) {
  const day = await simulateDay({ seed: 7, ...workload });
  speedups.push(day.virtualMs / day.wallMs);
  wallPerDay.push((day.wallMs * 24 * 60 * 60 * 1000) / day.virtualMs);
  last = day;
}
const GiB = 1024 ** 3;
const m: Measurement = measurement({
  id: 'b7',
  title: 'virtual time per wall time (one simulated day)',
  unit: 'ms of wall time per virtual day',
  contenders: [
    { name: 'simulator', samples: wallPerDay, details: () => ({ speedup: `${Math.round(speedups.slice().sort((a, b) => a - b)[Math.floor(speedups.length / 2)] ?? 0).toLocaleString('en-US')}x real time` }) },
  ],
  compare: false,
  goal: { subject: 'wall time per virtual day (10,000x real time)', limit: 8_640, comparison: '<=', unit: 'ms', value: ([median]) => median ?? Infinity },
  notes: last === null ? [] : [
    `${last.downloads} downloads, ${(last.bytes / GiB).toFixed(1)} GiB, ${last.succeeded} delivered within ${(last.virtualMs / 3_600_000).toFixed(1)} virtual hours, ${last.requests} requests, ${last.kills} kills, ${last.violations} invariant violations (#1-#5)`,
  ],
});
printMeasurement(m);
const path = writeResults('b7', { quick: options.quick, runs, measurements: [m] });
console.log(`\nB7: ${m.goal?.pass === true ? 'goal PASS' : 'goal MISS'}; results in ${path}`);
