import { describe, expect, it } from 'vitest';
import { createManualClock, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createMemoryByteStoreData, createMemoryStore, createMemoryStoreData, createSession, type EventItem, type Store } from '../index.js';
import { gate, heldCommits, memoryPorts } from './memory-ports.test-helpers.js';
import { eventLog, recordingListener, runUntil } from './session-fixtures.test-helpers.js';

const content = new Uint8Array(20 * 1024).map((_, i) => (i * 13 + 5) % 251);
const url = 'https://files.example/report.pdf';

/** The commits from the first acknowledgement on (a removed outbox entry). */
const heldAcknowledgements = (inner: Store) =>
  heldCommits(inner, (batch) => batch.operations.some((operation) => operation.type === 'delete' && operation.collection === 'outbox'));

describe('outbox delivery', () => {
  it('delivers the next event while the acknowledgement of the one before commits; a kill before that commit delivers both again, same eventIds, same order', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const clock = createManualClock();
    const host = { clock };
    const storeData = createMemoryStoreData();
    const byteData = createMemoryByteStoreData();
    const ports = (store: Store) => memoryPorts(store, transport, clock, 11, byteData);

    const inner = createMemoryStore({ data: storeData });
    const store = heldAcknowledgements(inner);
    const first = eventLog();
    const session = await createSession({ ports: ports(store), configuration: { identifier: 'pipelined' }, hostOptions: { listener: recordingListener(first) } });
    await session.download({ url, destination: { type: 'path', path: '/downloads/report.pdf', ifExists: 'fail' } });
    await runUntil(host, () => first.durable.length === 2);
    // Both were heard while the first acknowledgement had not committed.
    expect(first.durable.map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    expect(store.held()).toBeGreaterThanOrEqual(1);

    inner.fence();
    await store.release();
    await session.close().catch(() => undefined);

    const second = eventLog();
    const again = await createSession({ ports: ports(createMemoryStore({ data: storeData })), configuration: { identifier: 'pipelined' }, hostOptions: { listener: recordingListener(second) } });
    await runUntil(host, () => second.durable.length === 2 && again.tasks().length === 0);
    expect(second.durable.map((event) => [event.type, event.eventId])).toEqual(first.durable.map((event) => [event.type, event.eventId]));
    await again.close();
  });

  it('an acknowledgement resolves only once its removal is durable, and the task is forgotten with its last event', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const clock = createManualClock();
    const host = { clock };
    const store = heldAcknowledgements(createMemoryStore({ data: createMemoryStoreData() }));
    const session = await createSession({
      ports: memoryPorts(store, transport, clock, 12),
      configuration: { identifier: 'iterator-acks' },
    });
    const task = await session.download({ url });
    const events = session.events();
    const items: Array<EventItem & { readonly eventId: string }> = [];
    const consumed = (async () => {
      for await (const item of events) if ('eventId' in item) items.push(item);
    })();
    await runUntil(host, () => items.length === 1);
    const [finished] = items;
    if (finished === undefined) throw new Error('no durable event came');
    let settled = false;
    const firstAck = finished.ack().then((result) => {
      settled = true;
      return result;
    });
    await runUntil(host, () => items.length === 2);
    const completed = items[1]!;
    expect([finished.type, completed.type]).toEqual(['downloadDidFinish', 'taskDidComplete']);
    expect(settled).toBe(false);
    expect(store.held()).toBe(1);
    const secondAck = completed.ack();
    // The task is forgotten in its last removal, which waits behind the first.
    expect(session.task(task.taskIdentifier)).toBeDefined();

    await store.release();
    expect(await firstAck).toEqual({ acknowledged: true });
    expect(await secondAck).toEqual({ acknowledged: true });
    expect(session.tasks()).toEqual([]);
    expect(await session.acknowledge(finished.eventId)).toEqual({ acknowledged: false, reason: 'alreadyAcknowledged' });
    await events.return?.();
    await consumed;
    await session.close();
  });

  it('holds at most 256 removals committing at once: the next event waits for one of them, then delivery goes on', async () => {
    const count = 140;
    const transport = createScriptedTransport(Array.from({ length: count }, () => serveBytes(content.subarray(0, 512), { etag: '"v1"' })));
    const clock = createManualClock();
    const host = { clock };
    const store = heldAcknowledgements(createMemoryStore({ data: createMemoryStoreData() }));
    const session = await createSession({
      ports: memoryPorts(store, transport, clock, 13),
      configuration: { identifier: 'bounded-acks' },
    });
    const tasks = await Promise.all(Array.from({ length: count }, (_, i) => session.download({ url: `${url}?n=${i}` })));
    // Every task ends (two events each) before anything is delivered: no consumer yet.
    let ended = 0;
    for (const task of tasks) void task.outcome().then(() => (ended += 1));
    await runUntil(host, () => ended === count);
    const durable: Array<EventItem & { readonly eventId: string }> = [];
    const acks: Array<Promise<unknown>> = [];
    const events = session.events();
    const consumed = (async () => {
      for await (const item of events) {
        if (!('eventId' in item)) continue;
        durable.push(item);
        acks.push(item.ack());
      }
    })();
    await runUntil(host, () => durable.length >= 256 && store.held() >= 256, 10, 500);
    // The clock runs on: no 257th event comes while those removals wait.
    await runUntil(host, () => durable.length > 256, 10, 50).catch(() => undefined);
    expect(durable).toHaveLength(256);

    await store.release();
    await runUntil(host, () => durable.length === 2 * count && session.tasks().length === 0);
    await Promise.all(acks);
    expect(new Set(durable.map((event) => event.eventId)).size).toBe(2 * count);
    await events.return?.();
    await consumed;
    await session.close();
  });

  it('#2 delivers events in commit order even when an earlier end still has bytes to delete', async () => {
    // The first task fails (404) and its partial bytes are deleted slowly; the second ends later.
    const transport = createScriptedTransport([{ type: 'respond', status: 404, headers: {}, body: 'gone' }, serveBytes(content, { etag: '"v1"' })]);
    const clock = createManualClock();
    const ports = memoryPorts(createMemoryStore(), transport, clock, 14);
    const deletes = gate();
    const byteStore = { ...ports.byteStore, async delete(key: string) { await deletes.pass(); await ports.byteStore.delete(key); } };
    const log = eventLog();
    const session = await createSession({
      ports: { ...ports, byteStore },
      configuration: { identifier: 'commit-order', maxConcurrentTasks: 1, retry: { maxAttempts: 1 } },
      hostOptions: { listener: recordingListener(log) },
    });
    const first = await session.download({ url: 'https://files.example/gone.bin' });
    const second = await session.download({ url });
    // The second task ends (its end committed) while the first one's bytes are still being deleted.
    await runUntil({ clock }, () => second.info().state === 'completed', 100, 100);
    expect(deletes.held()).toBeGreaterThan(0);
    deletes.open();
    await runUntil({ clock }, () => log.durable.length === 3, 100, 100);

    expect(log.durable.map((event) => `${event.type}:${'task' in event ? event.task.taskIdentifier : '-'}`)).toEqual([
      `taskDidComplete:${first.taskIdentifier}`,
      `downloadDidFinish:${second.taskIdentifier}`,
      `taskDidComplete:${second.taskIdentifier}`,
    ]);
    await session.close();
  });
});
