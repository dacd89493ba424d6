import { stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createJournalStore } from '@bgsession/core';
import { createNodeFileSystem, openSession } from '@bgsession/node';

/** The identifier B5's store is built and reopened with. */
export const relaunchIdentifier = 'bench-relaunch';

/** What {@link buildRelaunchStore} made. */
export interface RelaunchStore {
  readonly queuedTasks: number;
  readonly undeliveredEvents: number;
  /** The journal's size in bytes: what a relaunch reads. */
  readonly journalBytes: number;
  /** Records the journal holds, by collection. */
  readonly records: Readonly<Record<string, number>>;
  readonly buildSeconds: number;
}

const batch = 1000;

/** Runs `count` calls of `make`, `batch` at a time (each batch is one group of commits). */
async function inBatches<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += batch) made.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - start) }, (_, k) => make(start + k)))));
  return made;
}

/**
 * Builds B5's store through the session API, as an app would leave it: a session opened offline
 * (so no task starts), `events` downloads created and cancelled with no consumer attached (each
 * leaves one undelivered taskDidComplete in the outbox), then `tasks` downloads created, which stay
 * queued, over 1,000 hosts. Relaxed durability, to build it faster; the session is closed cleanly.
 *
 * @example
 * ```ts
 * const built = await buildRelaunchStore(work.join('store'), 100_000, 10_000);
 * ```
 */
export async function buildRelaunchStore(directory: string, tasks: number, events: number): Promise<RelaunchStore> {
  const start = performance.now();
  const session = await openSession({ identifier: relaunchIdentifier, directory, durability: 'relaxed', connectivity: { online: false }, keepAlive: false });
  const url = (i: number) => `https://h${i % 1000}.example/files/${i}.bin`;
  const cancelled = await inBatches(events, (i) => session.download({ url: url(tasks + i) }));
  await inBatches(events, (i) => (cancelled[i] as (typeof cancelled)[number]).cancel());
  await inBatches(tasks, (i) => session.download({ url: url(i) }));
  await session.close();
  const buildSeconds = (performance.now() - start) / 1000;
  const store = createJournalStore({ fs: createNodeFileSystem(), directory: resolve(directory, 'store') });
  const contents = await store.open();
  await store.close();
  const records: Record<string, number> = {};
  for (const [collection, values] of contents.records) records[collection] = values.size;
  const journalBytes = (await stat(join(directory, 'store', 'journal'))).size;
  return { queuedTasks: tasks, undeliveredEvents: events, journalBytes, records, buildSeconds };
}

/**
 * Writes B5's baseline file: a JSON array of the store's own records (`{collection, key, value}`,
 * read through the journal store), repeated until it reaches `bytes`, padded with spaces to exactly
 * that size, so `JSON.parse` reads the same kind of data in the same number of bytes.
 *
 * @example
 * ```ts
 * await writeBaselineJson(work.join('store'), work.join('baseline.json'), built.journalBytes);
 * ```
 */
export async function writeBaselineJson(directory: string, path: string, bytes: number): Promise<void> {
  const store = createJournalStore({ fs: createNodeFileSystem(), directory: resolve(directory, 'store') });
  const contents = await store.open();
  await store.close();
  const items: string[] = [];
  for (const [collection, values] of contents.records) for (const [key, value] of values) items.push(JSON.stringify({ collection, key, value }));
  if (items.length === 0) throw new Error('the store holds no record');
  const parts: string[] = [];
  let length = 2;
  for (let i = 0; ; i++) {
    const item = items[i % items.length] as string;
    const added = Buffer.byteLength(item) + (i === 0 ? 0 : 1);
    if (length + added > bytes) break;
    parts.push(item);
    length += added;
  }
  const text = `[${parts.join(',')}]`;
  await writeFile(path, text + ' '.repeat(Math.max(0, bytes - Buffer.byteLength(text))));
}
