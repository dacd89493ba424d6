import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport } from '@bgsession/testing';
import { createMemoryByteStore, createMemoryStore, createSession, type Store, type StoreBatch, type Task } from '../index.js';
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

describe('an open with many stored tasks', () => {
  const queued = 2500;
  const identifier = 'relaunch-background';

  /** A host left with `queued` downloads waiting offline (keys k0, k1...) and one owed taskDidComplete. */
  async function storeWithBacklog() {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 31 });
    host.connectivity.set({ online: false });
    const first = await host.open({ identifier });
    const ended = await first.download({ url: url(queued) });
    await ended.cancel();
    const made = [];
    for (let start = 0; start < queued; start += 500) {
      made.push(...(await Promise.all(Array.from({ length: 500 }, (_, k) => first.download({ url: url(start + k), taskKey: `k${start + k}` })))));
    }
    await settle(host);
    await host.kill();
    return { host, ended, made };
  }

  /** Opens the store again with a `nextTurn` port the test opens: until then the stored tasks cannot join. */
  async function reopen(host: Awaited<ReturnType<typeof storeWithBacklog>>['host'], log = eventLog()) {
    let turns = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commits: StoreBatch[] = [];
    const store = createMemoryStore({ data: host.storeData });
    const counting: Store = { ...store, open: () => store.open(), close: () => store.close(), commit: (batch) => (commits.push(batch), store.commit(batch)) };
    const session = await createSession({
      ports: {
        store: counting, byteStore: createMemoryByteStore({ data: host.byteData }), transport: createScriptedTransport([]), clock: host.clock, random: host.random, connectivity: host.connectivity,
        nextTurn: () => ((turns += 1), gate),
      },
      configuration: { identifier },
      hostOptions: { listener: recordingListener(log) },
    });
    return { session, log, commits, release, turns: () => turns };
  }

  it('resolves and delivers the owed event before the queued tasks have joined (B5); tasks() still lists every one, and allTasks() waits for their relaunch', async () => {
    const { host, ended, made } = await storeWithBacklog();
    const { session, log, release, turns } = await reopen(host);
    await settle(host);
    // The background load is held at its first turn, and the owed event came anyway.
    expect(turns()).toBe(1);
    expect(log.durable.map((event) => `${event.type}:${'task' in event ? event.task.taskIdentifier : '-'}`)).toEqual([`taskDidComplete:${ended.taskIdentifier}`]);

    const listed = session.tasks().map((task) => task.taskIdentifier);
    expect(listed.sort((a, b) => a - b)).toEqual(made.map((task) => task.taskIdentifier));
    let all: readonly Task[] | null = null;
    void session.allTasks().then((tasks) => (all = tasks));
    await settle(host);
    expect(all).toBeNull();

    release();
    await settle(host);
    expect(all).not.toBeNull();
    expect(all!.map((task) => task.info())).toEqual(made.map((task) => ({ ...task.info(), phase: 'scheduled', reason: 'connectivity' })));
    await session.close();
  });

  it('while the stored tasks join, a taskKey finds its stored task, and a control or a new task waits for them: the control lands on the relaunched task, the identifier follows theirs', async () => {
    const { host, made } = await storeWithBacklog();
    const { session, release } = await reopen(host);
    await settle(host);
    const target = made[1234]!;
    // The handle exists (tasks() decodes the rest), but the task is as stored until relaunched.
    const handle = session.task(target.taskIdentifier)!;
    const steps: string[] = [];
    const keyed = session.download({ url: url(1234), taskKey: 'k1234' }).then((task) => (steps.push('keyed'), task));
    const suspended = handle.suspend().then((result) => (steps.push('suspended'), result));
    const fresh = session.download({ url: url(queued + 1) }).then((task) => (steps.push('fresh'), task));
    await settle(host);
    // task() decoded the rest, so the key's task is known: the same handle, at once.
    expect(steps).toEqual(['keyed']);

    release();
    expect((await keyed).taskIdentifier).toBe(target.taskIdentifier);
    expect(await suspended).toMatchObject({ changed: true });
    expect(handle.info().phase).toBe('suspended');
    expect((await fresh).taskIdentifier).toBeGreaterThan(Math.max(...made.map((task) => task.taskIdentifier)));
    expect(steps).toEqual(['keyed', 'suspended', 'fresh']);
    await session.close();
  });

  it('close() while the stored tasks join resolves even if the host never gives another turn, and nothing is written or deleted after it: no relaunch commit, no orphan sweep; the next open has every task', async () => {
    // A POST in flight when the host died (its relaunch ends it: a commit), the queued downloads,
    // and bytes no task owns (the sweep after the load would delete them).
    const transport = createScriptedTransport(() => ({ type: 'hang' }));
    const host = createMemoryHost({ transport, seed: 41 });
    const first = await host.open({ identifier });
    const post = await first.data({ url: 'https://shop.example/orders', method: 'POST', body: new TextEncoder().encode('{}') });
    await settle(host);
    expect(post.info().phase).toBe('connecting');
    host.connectivity.set({ online: false });
    const made = [post];
    for (let start = 0; start < queued; start += 500) made.push(...(await Promise.all(Array.from({ length: 500 }, (_, k) => first.download({ url: url(start + k) })))));
    await settle(host);
    await host.kill();
    const orphan = createMemoryByteStore({ data: host.byteData });
    await orphan.append('orphan', new Uint8Array([1, 2, 3]));
    await orphan.sync('orphan');

    const commits: StoreBatch[] = [];
    const store = createMemoryStore({ data: host.storeData });
    const counting: Store = { ...store, open: () => store.open(), close: () => store.close(), commit: (batch) => (commits.push(batch), store.commit(batch)) };
    let turns = 0;
    const session = await createSession({
      ports: {
        store: counting, byteStore: createMemoryByteStore({ data: host.byteData }), transport, clock: host.clock, random: host.random, connectivity: host.connectivity,
        // The first turn comes, the next never does (a host whose timers are faked).
        nextTurn: () => ((turns += 1), turns === 1 ? Promise.resolve() : new Promise<void>(() => undefined)),
      },
      configuration: { identifier },
    });
    await settle(host);
    expect(turns).toBe(2);
    const before = commits.length;
    await session.close();
    await settle(host);
    expect(commits.length).toBe(before);
    expect(await createMemoryByteStore({ data: host.byteData }).length('orphan')).toBe(3);

    const again = await host.open({ identifier });
    expect((await again.allTasks()).map((task) => task.taskIdentifier).sort((a, b) => a - b)).toEqual(made.map((task) => task.taskIdentifier).sort((a, b) => a - b));
    await again.close();
  });
});
