import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost } from '@bgsession/testing';
import { createMemoryByteStore, createMemoryStore, createSession, type DurableEvent, type Session, type Store, type StoreBatch } from '../index.js';
import { runUntil, settle, testContent } from './session-fixtures.test-helpers.js';

const content = testContent(2048);
const url = (i: number) => `https://h${i % 3}.example/files/${i}.bin`;

/** The commits a session makes, through a store that counts them. */
function countingStore(store: Store, commits: StoreBatch[]): Store {
  return { ...store, open: () => store.open(), close: () => store.close(), commit: (batch) => (commits.push(batch), store.commit(batch)) };
}

async function reopen(host: MemoryHost, commits: StoreBatch[], delivered: DurableEvent[]): Promise<Session> {
  const handle = (event: DurableEvent) => void delivered.push(event);
  return createSession({
    ports: {
      store: countingStore(createMemoryStore({ data: host.storeData }), commits),
      byteStore: createMemoryByteStore({ data: host.byteData }),
      transport: createScriptedTransport(Array.from({ length: 40 }, () => serveBytes(content, { etag: '"v1"' }))),
      clock: host.clock,
      random: host.random,
      connectivity: host.connectivity,
    },
    configuration: { identifier: 'relaunch-commits' },
    hostOptions: { listener: { taskDidComplete: handle, downloadDidFinish: handle } },
  });
}

const idOf = (event: DurableEvent) => (event.type === 'sessionDidBecomeInvalid' ? -1 : event.task.taskIdentifier);
const taskWrites = (commits: readonly StoreBatch[]) => commits.flatMap((batch) => batch.operations).filter((op) => op.type === 'put' && op.collection === 'tasks');

describe('a relaunch writes only what changed (B5)', () => {
  it('#1 #12 a relaunch of 30 queued tasks writes no task record, delivers the backlog, and every task still runs once online', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 5 });
    host.connectivity.set({ online: false });
    const first = await host.open({ identifier: 'relaunch-commits' });
    const queued = await Promise.all(Array.from({ length: 30 }, (_, i) => first.download({ url: url(i) })));
    const cancelled = await Promise.all(Array.from({ length: 5 }, (_, i) => first.download({ url: url(100 + i) })));
    await Promise.all(cancelled.map((task) => task.cancel()));
    await settle(host);
    await host.kill();

    const commits: StoreBatch[] = [];
    const delivered: DurableEvent[] = [];
    const session = await reopen(host, commits, delivered);
    await runUntil(host, () => delivered.length === cancelled.length, 100);
    await settle(host);
    // Waiting as stored, told again that they wait for connectivity: nothing to write. What was
    // written is the header at open and one acknowledgement per delivered event.
    expect(taskWrites(commits)).toEqual([]);
    expect(commits.length).toBeLessThanOrEqual(1 + cancelled.length);
    expect(delivered.map(idOf).sort()).toEqual(cancelled.map((task) => task.taskIdentifier).sort());
    expect(session.tasks().map((task) => task.taskIdentifier).sort()).toEqual(queued.map((task) => task.taskIdentifier).sort());

    host.connectivity.set({ online: true });
    await runUntil(host, () => delivered.length === cancelled.length + 2 * queued.length, 100);
    const ends = delivered.filter((event) => event.type === 'taskDidComplete' && event.error === null).map(idOf);
    expect(ends.sort()).toEqual(queued.map((task) => task.taskIdentifier).sort());
    await session.close();
  });
});
