// B2, memory is flat (design/benchmarks.md): bgsession's peak RSS above idle while it downloads
// 256 MiB and 1 GiB from a local server, each download in a process of its own, the two sizes
// interleaved run after run. Run it with `pnpm bench b2` (or `pnpm bench node`).
import { benchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median } from '../lib/median.js';
import { formatFigure, printMeasurement } from '../lib/print-measurement.js';
import { writeResults } from '../lib/write-results.js';
import type { DownloadFigures } from './download-figures.js';
import { generatedContent } from './generated-content.js';
import { startRangeFileServer, type RangeFileServer } from './range-file-server.js';
import { runCommand } from './run-command.js';
import { runWorkerResult, workerPath } from './run-worker.js';
import { createWorkDirectory } from './work-directory.js';

const MiB = 2 ** 20;
const options = benchOptions();
const sizes = options.quick ? [32 * MiB, 128 * MiB] : [256 * MiB, 1024 * MiB];
const runs = Math.min(options.runs, 5);
const label = (size: number) => (size >= 1024 * MiB ? `${size / (1024 * MiB)} GiB` : `${size / MiB} MiB`);
console.log(`B2  memory is flat: bgsession's peak RSS above idle for ${sizes.map(label).join(' and ')}${options.quick ? ' (BENCH_QUICK: smaller files)' : ''}, medians of ${runs} runs`);

const work = createWorkDirectory('b2');
const content = generatedContent(Math.max(...sizes));
// One server per size, serving a prefix of the same bytes.
const servers: RangeFileServer[] = [];
for (const size of sizes) servers.push(await startRangeFileServer({ content: content.subarray(0, size) }));
const worker = workerPath(import.meta.url, './download-worker.ts');

const measurements: Measurement[] = [];
try {
  const results = sizes.map(() => [] as DownloadFigures[]);
  let method = '';
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < sizes.length; k++) {
      const index = (k + round) % sizes.length;
      work.clear('download.bin');
      work.clear('session');
      await runCommand('sync', []);
      const server = servers[index] as RangeFileServer;
      const figures = await runWorkerResult<DownloadFigures>(worker, ['bgsession', server.url, work.join('download.bin'), work.join('session')]);
      if (figures.bytes !== sizes[index]) throw new Error(`bgsession wrote ${figures.bytes} bytes, expected ${sizes[index]}`);
      method = figures.peakMethod;
      results[index]?.push(figures);
    }
    console.log(`  run ${round + 1}/${runs}: ${sizes.map((size, i) => `${label(size)} +${formatFigure(((results[i]?.at(-1)?.peakRss ?? 0) - (results[i]?.at(-1)?.idleRss ?? 0)) / MiB)} MiB`).join(', ')}`);
  }
  const above = results.map((runsOfSize) => runsOfSize.map((f) => ((f.peakRss ?? Number.NaN) - (f.idleRss ?? Number.NaN)) / MiB));
  const [smallAbove, largeAbove] = above as [number[], number[]];
  const idle = results.flat().map((f) => (f.idleRss ?? Number.NaN) / MiB);
  // The download's speed beside its memory: a flat peak bought by going slowly would show here.
  const seconds = (i: number) => () => ({ 'download MB/s': formatFigure((sizes[i] as number) / 1e6 / median((results[i] ?? []).map((f) => f.seconds))) });
  measurements.push(
    measurement({
      id: 'b2.1',
      title: "bgsession's peak RSS above idle while downloading (idle: the session open, after a full GC)",
      unit: 'MiB',
      contenders: [
        { name: `peak above idle, ${label(sizes[1] as number)}`, samples: largeAbove, details: seconds(1) },
        { name: `peak above idle, ${label(sizes[0] as number)}`, samples: smallAbove, details: seconds(0) },
        { name: 'idle RSS (every run)', samples: idle },
      ],
      compare: false,
      goal: { subject: 'the larger peak above idle', comparison: '<', limit: 64, unit: ' MiB', value: (medians) => Math.max(medians[0] ?? Number.NaN, medians[1] ?? Number.NaN) },
      notes: [`peak read from ${method === 'VmHWM' ? "the kernel's high-water mark (VmHWM, reset with /proc/self/clear_refs after the idle reading)" : 'RSS sampled every 5 ms'}`],
    }),
    measurement({
      id: 'b2.2',
      title: `the two sizes against each other: peak above idle, ${label(sizes[1] as number)} minus ${label(sizes[0] as number)}`,
      unit: 'MiB',
      contenders: [{ name: `${label(sizes[1] as number)} - ${label(sizes[0] as number)}, run by run`, samples: largeAbove.map((value, i) => value - (smallAbove[i] ?? Number.NaN)) }],
      compare: false,
      goal: { subject: 'the gap between the two medians', comparison: '<=', limit: 8, unit: ' MiB', value: () => Math.abs(median(largeAbove) - median(smallAbove)) },
    }),
  );
} finally {
  await Promise.all(servers.map((server) => server.close()));
  work.remove();
}

for (const m of measurements) printMeasurement(m);
const path = writeResults('b2', { quick: options.quick, runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB2: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
