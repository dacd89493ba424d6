// B5, relaunch (design/benchmarks.md): open a store holding 100,000 queued tasks and 10,000
// undelivered events, timed to the first event delivered, against reading and JSON.parse-ing a file
// of the same size; and the RSS the open session holds. Each relaunch runs in a process of its own
// on a fresh copy of the store, the two contenders interleaved. Run it with `pnpm bench b5`.
import { benchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median } from '../lib/median.js';
import { formatFigure, printMeasurement } from '../lib/print-measurement.js';
import { writeResults } from '../lib/write-results.js';
import type { RelaunchFigures } from './relaunch-figures.js';
import type { RelaunchStore } from './relaunch-store.js';
import { runCommand } from './run-command.js';
import { runWorkerResult, workerPath } from './run-worker.js';
import { createWorkDirectory } from './work-directory.js';

const MiB = 2 ** 20;
const fullTasks = 100_000;
const options = benchOptions();
const tasks = options.quick ? 10_000 : fullTasks;
const events = tasks / 10;
const runs = Math.min(options.runs, 5);
console.log(
  `B5  relaunch: a store of ${tasks.toLocaleString('en-US')} queued tasks and ${events.toLocaleString('en-US')} undelivered events${options.quick ? ' (BENCH_QUICK: a tenth of the size)' : ''}, medians of ${runs} runs`,
);

const work = createWorkDirectory('b5');
const worker = workerPath(import.meta.url, './relaunch-worker.ts');
const measurements: Measurement[] = [];
try {
  const built = await runWorkerResult<RelaunchStore>(worker, ['build', work.join('built'), String(tasks), String(events), work.join('baseline.json')]);
  console.log(
    `  built in ${formatFigure(built.buildSeconds)} s: journal ${formatFigure(built.journalBytes / MiB)} MiB, records ${Object.entries(built.records)
      .map(([collection, count]) => `${collection} ${count.toLocaleString('en-US')}`)
      .join(', ')}`,
  );
  const modes = ['bgsession', 'json'] as const;
  const results = modes.map(() => [] as RelaunchFigures[]);
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < modes.length; k++) {
      const index = (k + round) % modes.length;
      let figures: RelaunchFigures;
      if (modes[index] === 'bgsession') {
        // A fresh copy each time: a relaunch acknowledges events and so changes the store.
        work.clear('run');
        const copy = await runCommand('cp', ['-a', work.join('built'), work.join('run')]);
        if (copy.code !== 0) throw new Error(`cp failed: ${copy.stderr}`);
        figures = await runWorkerResult<RelaunchFigures>(worker, ['bgsession', work.join('run')]);
        // Every queued task is there; the cancelled ones leave as their events are acknowledged.
        if (figures.tasks < tasks || figures.tasks > tasks + events) throw new Error(`the relaunched session holds ${figures.tasks} tasks, expected ${tasks} to ${tasks + events}`);
      } else {
        figures = await runWorkerResult<RelaunchFigures>(worker, ['json', work.join('baseline.json')]);
      }
      results[index]?.push(figures);
    }
    console.log(`  run ${round + 1}/${runs}: ${modes.map((mode, i) => `${mode} ${formatFigure(results[i]?.at(-1)?.seconds ?? Number.NaN)} s`).join(', ')}`);
  }
  const [bgsession, json] = results as [RelaunchFigures[], RelaunchFigures[]];
  const rssGoal = (200 * tasks) / fullTasks;
  const scaled = tasks === fullTasks ? '' : ` (scaled from 200 MiB for ${fullTasks.toLocaleString('en-US')})`;
  measurements.push(
    measurement({
      id: 'b5.1',
      title: `relaunch: openSession on ${tasks.toLocaleString('en-US')} queued tasks + ${events.toLocaleString('en-US')} undelivered events, to the first event delivered`,
      unit: 's',
      contenders: [
        { name: 'bgsession, openSession to first event', samples: bgsession.map((f) => f.seconds) },
        { name: `readFile + JSON.parse, ${formatFigure(built.journalBytes / MiB)} MiB`, samples: json.map((f) => f.seconds) },
      ],
      goal: { subject: 'bgsession / JSON.parse', comparison: '<=', limit: 3, unit: 'x', value: (_, ratios) => Object.values(ratios)[0] ?? Number.NaN },
      notes: [
        "first event delivered: the listener's taskDidComplete called for the first time, timed from the call to openSession in a process that had already loaded the modules",
        `openSession itself resolved after a median of ${formatFigure(median(bgsession.map((f) => f.openSeconds)))} s, and every stored task had joined (allTasks() resolved) after ${formatFigure(median(bgsession.map((f) => f.loadedSeconds)))} s`,
        "the baseline reads and parses a JSON array of the store's own records, repeated and space-padded to the journal's size; both files are in the page cache",
      ],
    }),
    measurement({
      id: 'b5.2',
      title: `RSS of the relaunched session holding ${tasks.toLocaleString('en-US')} queued tasks (every one joined, after a full GC)`,
      unit: 'MiB',
      contenders: [
        { name: 'RSS above idle (before openSession)', samples: bgsession.map((f) => (f.rss - f.idleRss) / MiB) },
        { name: 'RSS above idle, the session idle 10 s later', samples: bgsession.map((f) => (f.settledRss - f.idleRss) / MiB) },
        { name: 'RSS of the process', samples: bgsession.map((f) => f.rss / MiB) },
        { name: 'peak RSS above idle, open to every task joined', samples: bgsession.map((f) => (f.peakRss - f.idleRss) / MiB) },
        { name: 'heap used', samples: bgsession.map((f) => f.heapUsed / MiB) },
        { name: 'JSON.parse baseline: RSS above idle', samples: json.map((f) => (f.rss - f.idleRss) / MiB) },
      ],
      compare: false,
      goal: { subject: `RSS above idle${scaled}`, comparison: '<', limit: rssGoal, unit: ' MiB', value: (medians) => medians[0] ?? Number.NaN },
      notes: [
        'idle: the same process after importing @bgsession/node and a full GC, before openSession',
        "10 s later: the same session left idle, then a full GC; V8 has given back the young generation it grew during the open (up to 32 MiB). The goal is read on the first row",
      ],
    }),
  );
} finally {
  work.remove();
}

for (const m of measurements) printMeasurement(m);
const path = writeResults('b5', { quick: options.quick, runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB5: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
