import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryConnectivity, createNodeTestHasher, createScriptedTransport, createSeededRandom, serveBytes, type ScriptEntry, type ScriptHandler } from '@bgsession/testing';
import { createMemoryByteStore, createMemoryByteStoreData, createMemoryStore, createMemoryStoreData, createSession, type Store, type StoreBatch } from '../index.js';

// What may happen while the stored tasks join after an open (ADR 27), found by review: each case
// failed before its fix.

const kib = 1024;
const content = new Uint8Array(256 * kib).map((_, i) => i % 251);
const nextHostTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A world of memory ports whose store and bytes outlive each session opened on it. */
function world(script: readonly ScriptEntry[] | ScriptHandler) {
  const clock = createManualClock();
  const data = createMemoryStoreData();
  const byteData = createMemoryByteStoreData();
  const connectivity = createMemoryConnectivity();
  const transport = createScriptedTransport(script);
  const ports = (store: Store, seed: number, nextTurn?: () => Promise<void>) => ({
    store, byteStore: createMemoryByteStore({ data: byteData }), transport, clock, random: createSeededRandom(seed), connectivity, hasher: createNodeTestHasher(),
    ...(nextTurn === undefined ? {} : { nextTurn }),
  });
  /** Turns of the host and of the manual clock, without moving it: bounded. */
  const turns = async (count: number) => {
    for (let i = 0; i < count; i += 1) {
      await clock.flush();
      await nextHostTurn();
    }
  };
  return { clock, data, byteData, connectivity, transport, ports, turns };
}

/** A store that fences itself (as a SIGKILL would) right after the first commit `when` picks. */
function dyingAfter(data: ReturnType<typeof createMemoryStoreData>, when: (batch: StoreBatch) => boolean): Store {
  const inner = createMemoryStore({ data });
  return {
    capabilities: inner.capabilities,
    open: () => inner.open(),
    close: () => inner.close(),
    commit: async (batch) => {
      await inner.commit(batch);
      if (when(batch)) inner.fence();
    },
  };
}

describe('while the stored tasks join after an open', () => {
  it("events are delivered in commit order: a POST the relaunch ends comes before the events of tasks that ran in a later chunk's turn", async () => {
    let reopened = false;
    const w = world(() => (reopened ? { type: 'respond', status: 200, body: 'ok' } : { type: 'hang' }));
    const configuration = { identifier: 'order', maxConnectionsPerHost: 1 };
    const first = await createSession({ ports: w.ports(createMemoryStore({ data: w.data }), 1), configuration });
    for (let i = 0; i < 1500; i += 1) await first.data({ url: `https://a.example/${i}` });
    const post = await first.data({ url: 'https://b.example/submit', method: 'POST', body: new TextEncoder().encode('x') });
    await w.turns(20);
    expect(post.info().phase).toBe('connecting');
    await first.close();

    reopened = true;
    const delivered: string[] = [];
    const second = await createSession({
      ports: w.ports(createMemoryStore({ data: w.data }), 2, nextHostTurn),
      configuration,
      hostOptions: { listener: { taskDidComplete: (event) => void delivered.push(`${event.task.taskIdentifier}:${event.error?.code ?? 'ok'}`) } },
    });
    await second.allTasks();
    await w.turns(50);
    expect(delivered[0]).toBe(`${post.taskIdentifier}:RequestInterrupted`);
    expect(delivered.length).toBeGreaterThan(1);
    await second.close();
  });

  it('a session stored finishing becomes invalid only after the suspended task the dead host had not cancelled yet is cancelled', async () => {
    const w = world(() => ({ type: 'respond', status: 200, body: 'ok' }));
    w.connectivity.set({ online: false });
    let dying = false;
    const first = await createSession({ ports: w.ports(dyingAfter(w.data, (batch) => dying && batch.header !== undefined), 1), configuration: { identifier: 'finishing' } });
    for (let i = 0; i < 1000; i += 1) await first.data({ url: `https://a.example/${i}` });
    const suspended = await first.data({ url: 'https://a.example/suspended' });
    await suspended.suspend();
    dying = true;
    // The host dies once `finishing` is durable, before the suspended task's cancel lands.
    await first.finishTasksAndInvalidate().catch(() => undefined);
    await first.close().catch(() => undefined);

    w.connectivity.set({ online: true });
    const order: string[] = [];
    const second = await createSession({
      ports: w.ports(createMemoryStore({ data: w.data }), 2, nextHostTurn),
      configuration: { identifier: 'finishing' },
      hostOptions: {
        listener: {
          taskDidComplete: (event) => void (event.task.taskIdentifier === suspended.taskIdentifier ? order.push(`cancelled:${event.error?.code}`) : undefined),
          sessionDidBecomeInvalid: () => void order.push('invalid'),
        },
      },
    });
    await second.allTasks().catch(() => undefined);
    await w.turns(100);
    expect(order).toEqual(['cancelled:Cancelled', 'invalid']);
    await second.close();
  });

  it('the same with no chunk at all: a stored finishing session with a POST the relaunch ends and a suspended task is invalid only after that task is cancelled (this failed before the background load too)', async () => {
    const w = world(() => ({ type: 'hang' }));
    let dying = false;
    const first = await createSession({ ports: w.ports(dyingAfter(w.data, (batch) => dying && batch.header !== undefined), 1), configuration: { identifier: 'finishing-small' } });
    const suspended = await first.data({ url: 'https://a.example/suspended', resume: false });
    const post = await first.data({ url: 'https://b.example/orders', method: 'POST', body: new Uint8Array([1]) });
    await w.turns(20);
    expect(post.info().phase).toBe('connecting');
    dying = true;
    await first.finishTasksAndInvalidate().catch(() => undefined);
    await first.close().catch(() => undefined);

    const order: string[] = [];
    const second = await createSession({
      ports: w.ports(createMemoryStore({ data: w.data }), 2),
      configuration: { identifier: 'finishing-small' },
      hostOptions: {
        listener: {
          taskDidComplete: (event) => void order.push(`${event.task.taskIdentifier === suspended.taskIdentifier ? 'suspended' : 'post'}:${event.error?.code}`),
          sessionDidBecomeInvalid: () => void order.push('invalid'),
        },
      },
    });
    await w.turns(50);
    expect(order).toEqual(['post:RequestInterrupted', 'suspended:Cancelled', 'invalid']);
    await second.close();
  });

  it('discardResumeData() of a task stored canceling (its reference is made when it is relaunched) waits for it, and the bytes go', async () => {
    const w = world([serveBytes(content, { etag: '"v1"', chunkSize: 4 * kib, hangAfter: 64 * kib })]);
    const first = await createSession({
      ports: w.ports(dyingAfter(w.data, (batch) => batch.operations.some((op) => op.type === 'put' && op.collection === 'tasks' && (op.value as { phase?: unknown }).phase === 'canceling')), 1),
      configuration: { identifier: 'discard', checkpointBytes: 4 * kib },
    });
    const task = await first.download({ url: 'https://files.example/big.bin' });
    for (let i = 0; i < 200 && task.info().countOfBytesReceived < 64 * kib; i += 1) {
      await w.clock.flush();
      await w.clock.advanceAsync(100);
    }
    const resumeData = await task.cancelProducingResumeData();
    expect(resumeData).toEqual(expect.any(String));
    await first.close().catch(() => undefined);

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const second = await createSession({ ports: w.ports(createMemoryStore({ data: w.data }), 2, () => gate), configuration: { identifier: 'discard' } });
    expect(second.task(task.taskIdentifier)?.info().phase).toBe('canceling');
    const discarded = second.discardResumeData(resumeData!);
    release();
    await discarded;
    await second.allTasks();
    expect(w.byteData.entries.get(`part-${task.taskIdentifier}`)).toBeUndefined();
    await expect(second.download(resumeData!)).rejects.toMatchObject({ code: 'InvalidResumeData' });
    await second.close();
  });

  it('a taskKey given to a task made from resume data finds that task, not the ended one that gave it, though the ended one is decoded first', async () => {
    const w = world([serveBytes(content, { etag: '"v1"', chunkSize: 4 * kib, hangAfter: 64 * kib }), { type: 'hang' }, { type: 'hang' }]);
    const url = 'https://files.example/big.bin';
    // No listener and no iterator: the giver's end stays owed, so the reopened session decodes it first.
    const first = await createSession({ ports: w.ports(createMemoryStore({ data: w.data }), 1), configuration: { identifier: 'key', checkpointBytes: 4 * kib } });
    const giver = await first.download({ url, taskKey: 'K' });
    for (let i = 0; i < 200 && giver.info().countOfBytesReceived < 64 * kib; i += 1) {
      await w.clock.flush();
      await w.clock.advanceAsync(100);
    }
    const resumeData = await giver.cancelProducingResumeData();
    w.connectivity.set({ online: false });
    const taker = await first.download({ resumeData: resumeData!, taskKey: 'K' });
    await first.close();

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const second = await createSession({ ports: w.ports(createMemoryStore({ data: w.data }), 2, () => gate), configuration: { identifier: 'key' } });
    const during = second.download({ url, taskKey: 'K' });
    release();
    expect((await during).taskIdentifier).toBe(taker.taskIdentifier);
    await second.close();
  });
});
