// One timed batch of B3 in a process of its own: many small downloads by bgsession (strict or
// relaxed durability), by the baseline (p-limit + undici request + fs.writeFile) or by the durable
// floor (the baseline with each file synced, renamed into place and its directory synced).
// Usage (from the benchmarks only): small-tasks-worker.ts <strict|relaxed|baseline|durable> <origin> <count> <out dir> <session dir>
// Prints one JSON line: SmallTasksFigures.
import { mkdirSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { request } from 'undici';
import { openSession } from '@bgsession/node';
import type { SmallTasksFigures } from './small-tasks-figures.js';

const concurrency = 16;
const [mode, origin, countText, outDirectory, sessionDirectory] = process.argv.slice(2);
const count = Number(countText);
if ((mode !== 'strict' && mode !== 'relaxed' && mode !== 'baseline' && mode !== 'durable') || origin === undefined || !(count > 0) || outDirectory === undefined || sessionDirectory === undefined) {
  throw new Error('usage: small-tasks-worker.ts <strict|relaxed|baseline|durable> <origin> <count> <out dir> <session dir>');
}
mkdirSync(outDirectory, { recursive: true });
const urlOf = (i: number) => `${origin}/f/${i}`;
const pathOf = (i: number) => join(outDirectory, `f${i}.bin`);

/** Runs `task` for every download at once (each limits itself); the batch's milliseconds. */
async function timedBatch(task: (i: number) => Promise<void>): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => task(i)));
  return performance.now() - start;
}

/** Download `i`'s body, read whole. */
async function fetchBody(i: number): Promise<Buffer> {
  const { statusCode, body } = await request(urlOf(i));
  if (statusCode !== 200) throw new Error(`status ${statusCode}`);
  return Buffer.from(await body.arrayBuffer());
}

/** The baseline: 16 at a time, each file written with no durability inside its request's slot. */
function baseline(): Promise<number> {
  const limit = pLimit(concurrency);
  return timedBatch((i) => limit(async () => writeFile(pathOf(i), await fetchBody(i))));
}

/**
 * The durable floor: the baseline, but each file made durable the way any crash-safe writer must,
 * and no more: written to a temporary name, `fdatasync`ed, renamed into place, its directory
 * `fsync`ed (one directory sync shared by every rename made before it began), each outside its
 * request's slot. No journal: it keeps no record of its tasks, so a kill loses the queue. It shows
 * what the disk alone costs.
 */
async function durableBaseline(): Promise<number> {
  const directory = await open(outDirectory as string, 'r');
  // One directory fsync covers every rename made before it started: callers share the next one.
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const syncDirectory = (): Promise<void> => {
    if (current === null) {
      current = directory.sync().finally(() => (current = null));
      return current;
    }
    next ??= current.then(() => {
      next = null;
      return syncDirectory();
    });
    return next;
  };
  const limit = pLimit(concurrency);
  const writing = pLimit(concurrency);
  const writeDurably = async (i: number, bytes: Buffer): Promise<void> => {
    const temporary = `${pathOf(i)}.part`;
    const file = await open(temporary, 'w');
    try {
      await file.write(bytes);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(temporary, pathOf(i));
    await syncDirectory();
  };
  const ms = await timedBatch(async (i) => {
    const bytes = await limit(() => fetchBody(i));
    await writing(() => writeDurably(i, bytes));
  });
  await directory.close();
  return ms;
}

/**
 * bgsession: every task created at once (the app enqueues a batch), 16 connections to the host,
 * timed until every task's taskDidComplete was delivered and acknowledged and the session forgot
 * every task (the acknowledgements committed).
 */
async function bgsession(durability: 'strict' | 'relaxed'): Promise<number> {
  let completed = 0;
  let failed = 0;
  let allDelivered: () => void = () => undefined;
  const delivered = new Promise<void>((done) => (allDelivered = done));
  const session = await openSession({
    identifier: 'bench-small-tasks',
    directory: sessionDirectory as string,
    durability,
    connectivity: { online: true },
    configuration: { maxConnectionsPerHost: concurrency, maxConcurrentTasks: concurrency },
    listener: {
      downloadDidFinish: () => undefined,
      taskDidComplete: (event) => {
        if (event.error !== null) failed += 1;
        completed += 1;
        if (completed === count) allDelivered();
      },
    },
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => session.download({ url: urlOf(i), destination: { type: 'path', path: pathOf(i), ifExists: 'replace' } })));
  await delivered;
  while (session.tasks().length > 0) await sleep(2);
  const ms = performance.now() - start;
  await session.close();
  if (failed > 0) throw new Error(`${failed} of ${count} bgsession tasks failed`);
  return ms;
}

const ms = mode === 'baseline' ? await baseline() : mode === 'durable' ? await durableBaseline() : await bgsession(mode);
const figures: SmallTasksFigures = { mode, tasks: count, seconds: ms / 1000, tasksPerSecond: count / (ms / 1000) };
console.log(JSON.stringify(figures));
