import { createMemoryHost, createScriptedTransport, type MemoryHost } from '@bgsession/testing';
import type { Session } from '@bgsession/core';
import { performance } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import type { BenchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { formatFigure } from '../lib/print-measurement.js';

const MiB = 2 ** 20;

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (bench/run.mjs does)');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Waits until the session stops committing: every dispatch the creations set off has settled. */
async function settle(host: MemoryHost): Promise<void> {
  let quiet = 0;
  let commits = host.storeData.commits;
  while (quiet < 5) {
    await turn();
    quiet = host.storeData.commits === commits ? quiet + 1 : 0;
    commits = host.storeData.commits;
  }
}

/** The JSON text the memory store holds, in characters (one byte each: it is ASCII here). */
function storedText(host: MemoryHost): number {
  let chars = host.storeData.header?.length ?? 0;
  for (const records of host.storeData.records.values()) for (const [key, value] of records) chars += key.length + value.length;
  return chars;
}

interface HeapRun {
  readonly totalMiB: number;
  readonly storeMiB: number;
  readonly storedTextMiB: number;
  readonly createSeconds: number;
  readonly commits: number;
}

async function heapRun(tasks: number): Promise<HeapRun> {
  const host = createMemoryHost({ transport: createScriptedTransport([]) });
  // Offline: every task stays queued (the session tells each once that it waits for connectivity).
  host.connectivity.set({ online: false });
  let session: Session | null = await host.open({ identifier: 'b6-heap' });
  await settle(host);
  const before = collect();
  const start = performance.now();
  for (let i = 0; i < tasks; i++) await session.download({ url: `https://h${i % 1000}.example/f${i}` });
  await settle(host);
  const createSeconds = (performance.now() - start) / 1000;
  if (session.tasks().length !== tasks) throw new Error(`the session holds ${session.tasks().length} tasks, expected ${tasks}`);
  const after = collect();
  const commits = host.storeData.commits;
  // The store's share: what stays once the session is gone and only the store's data is left.
  await host.kill();
  session = null;
  // The manual clock removes cancelled timers lazily, and a cancelled timer still holds its
  // callback, which reaches the dead session's runtime: move time past them so they go.
  host.clock.advance(365 * 24 * 60 * 60 * 1000);
  await settle(host);
  const storeOnly = collect();
  return { totalMiB: (after - before) / MiB, storeMiB: (storeOnly - before) / MiB, storedTextMiB: storedText(host) / MiB, createSeconds, commits };
}

/**
 * B6.4: the heap of a session holding 100,000 queued downloads on the memory host (offline, so none
 * starts), after a full GC, against the heap before they were created; and the part of it the
 * memory store holds. Goal: under 200 MiB.
 *
 * @example
 * ```ts
 * printMeasurement(await measureSessionHeap(benchOptions()));
 * ```
 */
export async function measureSessionHeap(options: BenchOptions): Promise<Measurement> {
  const fullTasks = 100_000;
  const tasks = options.quick ? 10_000 : fullTasks;
  const scaled = tasks === fullTasks ? '' : ` (goal scaled from 200 MiB for ${fullTasks.toLocaleString('en-US')} tasks)`;
  const runs = options.quick ? 1 : Math.min(options.runs, 3);
  const results: HeapRun[] = [];
  for (let r = 0; r < runs; r++) results.push(await heapRun(tasks));
  const perTask = (mib: number) => `${formatFigure((mib * MiB) / tasks)} B/task`;
  const last = results.at(-1) as HeapRun;
  return measurement({
    id: 'b6.4',
    title: `heap of a session holding ${tasks.toLocaleString('en-US')} queued downloads (memory host, offline), after GC`,
    unit: 'MiB',
    contenders: [
      { name: 'heap delta: session + memory store', samples: results.map((r) => r.totalMiB), details: (m) => ({ 'per task': perTask(m) }) },
      { name: '  the session without the store', samples: results.map((r) => r.totalMiB - r.storeMiB), details: (m) => ({ 'per task': perTask(m) }) },
      { name: '  the memory store (its share)', samples: results.map((r) => r.storeMiB), details: (m) => ({ 'per task': perTask(m) }) },
      { name: '  the store JSON text (chars)', samples: results.map((r) => r.storedTextMiB), details: (m) => ({ 'per task': perTask(m) }) },
    ],
    compare: false,
    // 200 MiB is the goal for 100,000 tasks; a smoke pass with fewer is held to the same bytes per task.
    goal: { subject: `heap delta, session + memory store${scaled}`, limit: (200 * tasks) / fullTasks, comparison: '<', unit: ' MiB', value: (medians) => medians[0] ?? Number.NaN },
    notes: [
      `${runs} run(s); creating ${tasks.toLocaleString('en-US')} tasks (await each session.download) took ${results.map((r) => formatFigure(r.createSeconds)).join(', ')} s (${formatFigure(tasks / last.createSeconds)} tasks/s), ${last.commits.toLocaleString('en-US')} store commits`,
    ],
  });
}
