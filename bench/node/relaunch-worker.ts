// One timed relaunch of B5 in a process of its own.
// Usage (from the benchmarks only):
//   relaunch-worker.ts build <session directory> <tasks> <events> <baseline json path>
//   relaunch-worker.ts bgsession <session directory>
//   relaunch-worker.ts json <baseline json path>
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { openSession } from '@bgsession/node';
import { collectGarbage, startPeakRss } from './peak-rss.js';
import { buildRelaunchStore, relaunchIdentifier, writeBaselineJson } from './relaunch-store.js';
import type { RelaunchFigures } from './relaunch-figures.js';

const [mode, path, ...rest] = process.argv.slice(2);
/** How long the relaunched session idles before its settled RSS is read. */
const settleMs = 10_000;
if (path === undefined) throw new Error('usage: relaunch-worker.ts <build|bgsession|json> <path> ...');

/**
 * bgsession: from the call to openSession to the first durable event handed to the listener; then,
 * after a full GC, the RSS against the idle RSS read before the call.
 */
async function relaunch(directory: string): Promise<RelaunchFigures> {
  // For attributing B5.2's bytes: BENCH_B5_HEAP_SNAPSHOT=<path> writes the heap before openSession
  // (`<path>.idle`) and at the measurement; BENCH_B5_DETAIL=1 prints the heap's spaces at both.
  const snapshot = process.env.BENCH_B5_HEAP_SNAPSHOT;
  const detail = process.env.BENCH_B5_DETAIL === '1';
  if (snapshot !== undefined && snapshot !== '') writeHeapSnapshot(`${snapshot}.idle`);
  const probe = startPeakRss(3);
  if (detail) console.error(`idle ${describeMemory()}`);
  let firstAt = 0;
  let delivered: () => void = () => undefined;
  const first = new Promise<void>((done) => (delivered = done));
  const start = performance.now();
  const session = await openSession({
    identifier: relaunchIdentifier,
    directory,
    // Offline, as it was built: the queued tasks stay queued.
    connectivity: { online: false },
    keepAlive: false,
    listener: {
      taskDidComplete: () => {
        if (firstAt === 0) firstAt = performance.now();
        delivered();
      },
    },
  });
  const openedAt = performance.now();
  await first;
  // B5.2 is the RSS of the session holding every task: measured once all have joined, relaunched.
  const tasks = (await session.allTasks()).length;
  const loadedAt = performance.now();
  const peak = probe.stop();
  collectGarbage(3);
  const memory = process.memoryUsage();
  if (snapshot !== undefined && snapshot !== '') writeHeapSnapshot(snapshot);
  if (detail) console.error(`after ${describeMemory()}`);
  // The same session 10 s later, idle: V8 gives back the young generation it grew during the
  // open's burst of allocation (up to 32 MiB), which the reading above still holds. Printed beside
  // B5.2, whose goal stays on the reading above.
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  collectGarbage(3);
  const settledRss = process.memoryUsage().rss;
  if (detail) console.error(`settled ${describeMemory()}`);
  return {
    mode: 'bgsession',
    seconds: (firstAt - start) / 1000,
    openSeconds: (openedAt - start) / 1000,
    loadedSeconds: (loadedAt - start) / 1000,
    tasks,
    idleRss: probe.idle,
    rss: memory.rss,
    settledRss,
    heapUsed: memory.heapUsed,
    peakRss: peak,
  };
}

/** The process's memory (RSS, its anonymous and file-backed parts) and V8's heap spaces (MiB committed/used). */
function describeMemory(): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
  const spaces = getHeapSpaceStatistics()
    .filter((s) => s.space_size > 0)
    .map((s) => `${s.space_name} ${mib(s.space_size)}/${mib(s.space_used_size)}`);
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => mib(Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024);
  return `rss ${mib(rss)} (anon ${field('RssAnon')}, file ${field('RssFile')}), heap ${mib(heapTotal)}/${mib(heapUsed)}, external ${mib(external)}; ${spaces.join(', ')}`;
}

/** The baseline: read the file and JSON.parse it. */
async function parse(file: string): Promise<RelaunchFigures> {
  const probe = startPeakRss(3);
  const start = performance.now();
  const value = JSON.parse(await readFile(file, 'utf8')) as unknown[];
  const seconds = (performance.now() - start) / 1000;
  const peak = probe.stop();
  const memory = process.memoryUsage();
  return { mode: 'json', seconds, openSeconds: seconds, loadedSeconds: seconds, tasks: value.length, idleRss: probe.idle, rss: memory.rss, settledRss: memory.rss, heapUsed: memory.heapUsed, peakRss: peak };
}

if (mode === 'build') {
  const [tasks, events, jsonPath] = rest;
  if (jsonPath === undefined) throw new Error('usage: relaunch-worker.ts build <session directory> <tasks> <events> <baseline json path>');
  const built = await buildRelaunchStore(path, Number(tasks), Number(events));
  await writeBaselineJson(path, jsonPath, built.journalBytes);
  console.log(JSON.stringify(built));
} else if (mode === 'bgsession' || mode === 'json') {
  console.log(JSON.stringify(mode === 'bgsession' ? await relaunch(path) : await parse(path)));
  // The session is left as it is (the run's copy of the store is thrown away): no close to wait for.
  process.exit(0);
} else {
  throw new Error(`unknown mode ${String(mode)}`);
}
