// B7, simulator speed (design/benchmarks.md): one virtual day of a fixed, seeded workload run by
// the shipped session on the simulator, against the wall clock. Run it with `pnpm bench simulator`.
import { simulateDay, type DayNetwork, type SimulatedDay } from './b7/simulated-day.js';
import { benchOptions } from './lib/bench-options.js';
import { measurement, type Measurement } from './lib/measurement.js';
import { printMeasurement } from './lib/print-measurement.js';
import { writeResults } from './lib/write-results.js';

const options = benchOptions();
const runs = Math.min(options.runs, options.quick ? 2 : 3);
const workload = options.quick ? { downloads: 100, maxMiB: 8, hours: 3 } : { downloads: 1_000, maxMiB: 64, hours: 24 };
console.log(`B7  simulator speed${options.quick ? ' (BENCH_QUICK: 100 downloads of 1-8 MiB over 3 virtual hours)' : ': 1,000 downloads of 1-64 MiB over one virtual day'}, medians of ${runs} runs`);

const GiB = 1024 ** 3;
const day = 24 * 60 * 60 * 1000;

/** Runs the day `runs` times on `network` and sums it up as one measurement. */
async function measureDay(network: DayNetwork, title: string): Promise<Measurement> {
  const speedups: number[] = [];
  const wallPerDay: number[] = [];
  let last: SimulatedDay | null = null;
  for (let run = 0; run < runs; run += 1) {
    const result = await simulateDay({ seed: 7, ...workload, network });
    speedups.push(result.virtualMs / result.wallMs);
    wallPerDay.push((result.wallMs * day) / result.virtualMs);
    last = result;
  }
  return measurement({
    id: network === 'default' ? 'b7' : `b7-${network}`,
    title,
    unit: 'ms of wall time per virtual day',
    contenders: [
      { name: 'simulator', samples: wallPerDay, details: () => ({ speedup: `${Math.round(speedups.slice().sort((a, b) => a - b)[Math.floor(speedups.length / 2)] ?? 0).toLocaleString('en-US')}x real time` }) },
    ],
    compare: false,
    goal: { subject: 'wall time per virtual day (10,000x real time)', limit: 8_640, comparison: '<=', unit: 'ms', value: ([median]) => median ?? Infinity },
    notes: last === null ? [] : [
      `${last.downloads} downloads, ${(last.bytes / GiB).toFixed(1)} GiB, ${last.succeeded} delivered within ${(last.virtualMs / 3_600_000).toFixed(1)} virtual hours, ${last.requests} requests, ${last.kills} kills, ${last.violations} invariant violations`,
    ],
  });
}

const measurements = [
  await measureDay('default', "one simulated day on the world's default host (100 Mbit/s): the benchmark's goal"),
  await measureDay('busy', 'the same day with the bandwidth that keeps it busy throughout (every hour moves bytes): printed'),
];
for (const m of measurements) printMeasurement(m);
const path = writeResults('b7', { quick: options.quick, runs, measurements });
const main = measurements[0];
console.log(`\nB7: ${main?.goal?.pass === true ? 'goal PASS' : 'goal MISS'} on the default host, ${measurements[1]?.goal?.pass === true ? 'PASS' : 'MISS'} on the busy day; results in ${path}`);
