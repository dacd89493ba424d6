import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport } from '@bgsession/testing';
import { createMemoryByteStore, createMemoryStore, createSession, type Store, type StoreBatch } from '../index.js';
import { eventLog, recordingListener, settle } from './session-fixtures.test-helpers.js';

const url = (i: number) => `https://h${i % 2}.example/files/${i}.bin`;

describe('relaunchStore', () => {
  it('relaunched offline, each queued task is told once that it waits for connectivity, keeps its stored record, and nothing is written for it', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 9 });
    host.connectivity.set({ online: false });
    const first = await host.open({ identifier: 'relaunch-notice' });
    const queued = await Promise.all(Array.from({ length: 12 }, (_, i) => first.download({ url: url(i), taskDescription: `file ${i}` })));
    await settle(host);
    const before = queued.map((task) => task.info());
    await host.kill();

    const commits: StoreBatch[] = [];
    const store = createMemoryStore({ data: host.storeData });
    const counting: Store = { ...store, open: () => store.open(), close: () => store.close(), commit: (batch) => (commits.push(batch), store.commit(batch)) };
    const log = eventLog();
    const session = await createSession({
      ports: { store: counting, byteStore: createMemoryByteStore({ data: host.byteData }), transport: createScriptedTransport([]), clock: host.clock, random: host.random, connectivity: host.connectivity },
      configuration: { identifier: 'relaunch-notice' },
      hostOptions: { listener: recordingListener(log) },
    });
    await settle(host);
    await host.clock.advanceAsync(60_000);

    const told = log.transient.flatMap((event) => (event.type === 'taskIsWaitingForConnectivity' ? [event.task.taskIdentifier] : []));
    expect(told.sort((a, b) => a - b)).toEqual(queued.map((task) => task.taskIdentifier));
    expect(commits.flatMap((batch) => batch.operations).filter((op) => op.collection === 'tasks')).toEqual([]);
    const after = session.tasks().map((task) => task.info());
    expect(after).toEqual(before);
    expect(after.every((info) => info.phase === 'scheduled' && info.reason === 'connectivity')).toBe(true);
    await session.close();
  });
});
