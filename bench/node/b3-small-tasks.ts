// B3, many small tasks (design/benchmarks.md): 10,000 downloads of 4 KiB from a local server, 16 at
// a time, by bgsession with strict and with relaxed durability, against p-limit(16) + undici
// request + fs.writeFile, and against the same with each file made durable (the durable floor,
// printed: no goal names it); each batch in a process of its own, the four interleaved run after run.
// Run it with `pnpm bench b3` (or `pnpm bench node`).
import { benchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median } from '../lib/median.js';
import { formatFigure, printMeasurement } from '../lib/print-measurement.js';
import { writeResults } from '../lib/write-results.js';
import { generatedContent } from './generated-content.js';
import { startRangeFileServer } from './range-file-server.js';
import { runCommand } from './run-command.js';
import { runWorkerResult, workerPath } from './run-worker.js';
import type { SmallTasksFigures } from './small-tasks-figures.js';
import { createWorkDirectory } from './work-directory.js';

const options = benchOptions();
const count = options.quick ? 1_000 : 10_000;
// Three runs at full size: a bgsession batch of 10,000 takes most of a minute here.
const runs = Math.min(options.runs, 3);
const modes = ['strict', 'relaxed', 'baseline', 'durable'] as const;
console.log(`B3  many small tasks: ${count.toLocaleString('en-US')} downloads of 4 KiB, 16 at a time${options.quick ? ' (BENCH_QUICK: fewer tasks)' : ''}, medians of ${runs} runs`);

const work = createWorkDirectory('b3');
const server = await startRangeFileServer({ content: generatedContent(4096) });
const worker = workerPath(import.meta.url, './small-tasks-worker.ts');

const measurements: Measurement[] = [];
try {
  const results = modes.map(() => [] as SmallTasksFigures[]);
  // Requests beyond one per task (a retried attempt): none expected on loopback.
  const extraRequests = modes.map(() => 0);
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < modes.length; k++) {
      const index = (k + round) % modes.length;
      // Each batch writes into directories of its own, all removed at the end. Clearing the last
      // batch's files just before the next batch made that batch's file creations pay for them:
      // ext4 passes over recently freed inodes one by one (perf: `find_inode_bit` ->
      // `recently_deleted`, up to 0.75 ms of kernel time per file created), a cost of the harness
      // that fell on whichever contender came next.
      const batch = `batch-${round}-${modes[index] as string}`;
      await runCommand('sync', []);
      server.reset();
      const figures = await runWorkerResult<SmallTasksFigures>(worker, [modes[index] as string, server.origin, String(count), work.join(batch, 'files'), work.join(batch, 'session')]);
      if (server.responses.length < count) throw new Error(`${modes[index]}: the server answered ${server.responses.length} requests, expected ${count}`);
      extraRequests[index] = (extraRequests[index] ?? 0) + server.responses.length - count;
      results[index]?.push(figures);
    }
    console.log(`  run ${round + 1}/${runs}: ${modes.map((mode, i) => `${mode} ${formatFigure(results[i]?.at(-1)?.tasksPerSecond ?? Number.NaN)} tasks/s`).join(', ')}`);
  }
  const msPerTask = (i: number) => (results[i] ?? []).map((f) => (f.seconds * 1000) / f.tasks);
  const perSecond = () => (median: number) => ({ 'tasks/s': formatFigure(1000 / median) });
  const baseline = { name: 'p-limit(16) + undici request + fs.writeFile', samples: msPerTask(2), details: perSecond() };
  const durableFloor = { name: 'the same, each file durable (fdatasync, rename, directory fsync)', samples: msPerTask(3), details: perSecond() };
  // How far the disk alone is from the goal: a floor under 0.5x means no writer that syncs each file meets B3.1.
  const floorShare = median(baseline.samples) / median(durableFloor.samples);
  const table = (id: string, mode: 'strict' | 'relaxed', least: number): Measurement =>
    measurement({
      id,
      title: `${count.toLocaleString('en-US')} downloads of 4 KiB, 16 at a time, bgsession durability: '${mode}'`,
      unit: 'ms/task',
      contenders: [{ name: `bgsession, ${mode}`, samples: msPerTask(mode === 'strict' ? 0 : 1), details: perSecond() }, baseline, durableFloor],
      // At least `least` times the baseline's tasks/s is at most 1/least times its time per task.
      goal: { subject: `bgsession / baseline, time per task (1/${least}: at least ${least}x its tasks/s)`, comparison: '<=', limit: 1 / least, unit: 'x', value: (_, ratios) => ratios[baseline.name] ?? Number.NaN },
      notes: [
        ...(mode === 'strict'
          ? [
              'bgsession: every task created at once, maxConnectionsPerHost 16; timed until every taskDidComplete was delivered and acknowledged and the session holds no task',
              'the baseline writes each file with fs.writeFile and never syncs',
              'the durable floor is what the disk costs a simple crash-safe writer: each file written under a temporary name, fdatasync, renamed, its directory fsynced (one sync shared by the renames before it), outside its request\'s slot as bgsession does; no journal, so a kill loses its queue. The goal is against the baseline',
              `the durable floor reaches ${formatFigure(floorShare)}x the baseline's tasks/s in this run`,
            ]
          : ["'relaxed': a commit resolves after its append, its sync follows within 50 ms (safe against a process kill, not a power loss)"]),
        `requests beyond one per task over all runs: ${modes.map((m, i) => `${m} ${extraRequests[i] ?? 0}`).join(', ')}`,
      ],
    });
  measurements.push(table('b3.1', 'strict', 0.5), table('b3.2', 'relaxed', 0.9));
} finally {
  await server.close();
  work.remove();
}

for (const m of measurements) printMeasurement(m);
const path = writeResults('b3', { quick: options.quick, runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB3: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
