import { describe, expect, it } from 'vitest';
import { createManualClock, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createMemoryByteStoreData, createMemoryStore, createMemoryStoreData, createSession, type Store, type StoreBatch } from '../index.js';
import { heldCommits, memoryPorts, storeWith } from './memory-ports.test-helpers.js';
import { completions, eventLog, recordingListener, runUntil, settle } from './session-fixtures.test-helpers.js';

const content = new Uint8Array(64 * 1024).map((_, i) => (i * 5 + 1) % 251);

/** What one commit was for, and how durable it was asked to be. */
interface CommitSeen {
  readonly durability: StoreBatch['durability'];
  /** `phase` of each task record put, `+outbox` / `-outbox` / `-task` for the rest. */
  readonly changes: readonly string[];
}

function watchedStore(inner: Store, seen: CommitSeen[]): Store {
  return storeWith(inner, (batch) => {
    const changes = batch.operations.map((operation) => {
      if (operation.type === 'delete') return operation.collection === 'tasks' ? '-task' : `-${operation.collection}`;
      if (operation.collection === 'tasks') return String((operation.value as { phase?: unknown }).phase);
      return `+${operation.collection}`;
    });
    seen.push({ durability: batch.durability, changes });
    return inner.commit(batch);
  });
}

async function commitsOfOneDownload(durability: 'strict' | 'relaxed', post = false): Promise<CommitSeen[]> {
  const clock = createManualClock();
  const seen: CommitSeen[] = [];
  const log = eventLog();
  const session = await createSession({
    ports: memoryPorts(watchedStore(createMemoryStore(), seen), createScriptedTransport(serveBytes(content, { etag: '"v1"' })), clock, 3),
    configuration: { identifier: `durability-${durability}` },
    hostOptions: { durability, listener: recordingListener(log) },
  });
  seen.length = 0;
  const task = post ? await session.data({ url: 'https://files.example/orders', method: 'POST' }) : await session.download({ url: 'https://files.example/a.bin' });
  await runUntil({ clock }, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0, 100, 100);
  await session.close();
  return seen;
}

/**
 * The commits of one download, in order: its creation, its response head (which also writes the
 * attempt's start, ADR 16), its hand-over step, its end, the two acknowledgements.
 */
const lifecycle = [['scheduled'], ['transferring'], ['handingOver'], ['succeeded', '+outbox', '+outbox'], ['-outbox'], ['-outbox', '-task']];

describe('how durable each commit of a download is (semantics section 7)', () => {
  it('strict: every commit is strict', async () => {
    expect(await commitsOfOneDownload('strict')).toEqual(lifecycle.map((changes) => ({ durability: 'strict', changes })));
  });

  it("relaxed: the task's creation, its end with its events, and the acknowledgements are strict; the attempt's steps (checkpoint, hand-over) are relaxed", async () => {
    const relaxed = new Set(['transferring', 'handingOver']);
    expect(await commitsOfOneDownload('relaxed')).toEqual(
      lifecycle.map((changes) => ({ durability: relaxed.has(changes[0] ?? '') ? 'relaxed' : 'strict', changes })),
    );
  });

  it("relaxed: a POST's start is a strict commit all the same, so a power loss cannot send it twice", async () => {
    const seen = await commitsOfOneDownload('relaxed', true);
    expect(seen.slice(0, 2)).toEqual([
      { durability: 'strict', changes: ['scheduled'] },
      { durability: 'strict', changes: ['connecting'] },
    ]);
  });
});

/** A store that holds the commit of an attempt's start, and every commit after it, until `release()`. */
const heldAttemptStarts = (inner: Store) =>
  heldCommits(inner, (batch) =>
    batch.operations.some((operation) => operation.type === 'put' && operation.collection === 'tasks' && (operation.value as { phase?: unknown }).phase === 'connecting'),
  );

describe("an attempt's start (relaunch table, #13)", () => {
  it('a non-idempotent POST sends nothing until its start is durable', async () => {
    const clock = createManualClock();
    const store = heldAttemptStarts(createMemoryStore());
    const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
    const log = eventLog();
    const session = await createSession({
      ports: memoryPorts(store, transport, clock, 4),
      configuration: { identifier: 'post-start' },
      hostOptions: { listener: recordingListener(log) },
    });
    const task = await session.data({ url: 'https://files.example/orders', method: 'POST' });
    await runUntil({ clock }, () => store.held() > 0, 10, 50);
    await settle({ clock });
    await clock.advanceAsync(1_000);
    expect(transport.requests).toHaveLength(0);

    await store.release();
    await runUntil({ clock }, () => completions(log, task.taskIdentifier).length === 1, 100, 100);
    expect(completions(log, task.taskIdentifier)[0]?.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });

  it("an idempotent GET's start is written with its response head, which counts the attempt", async () => {
    const clock = createManualClock();
    const puts: Array<{ readonly phase: unknown; readonly started: unknown }> = [];
    const inner = createMemoryStore();
    const store = storeWith(inner, (batch) => {
      for (const operation of batch.operations) {
        if (operation.type !== 'put' || operation.collection !== 'tasks') continue;
        const value = operation.value as { phase?: unknown; attempts?: { started?: unknown } };
        puts.push({ phase: value.phase, started: value.attempts?.started });
      }
      return inner.commit(batch);
    });
    const log = eventLog();
    const session = await createSession({
      ports: memoryPorts(store, createScriptedTransport(serveBytes(content, { etag: '"v1"' })), clock, 6),
      configuration: { identifier: 'get-start' },
      hostOptions: { listener: recordingListener(log) },
    });
    const task = await session.download({ url: 'https://files.example/a.bin' });
    await runUntil({ clock }, () => completions(log, task.taskIdentifier).length === 1, 100, 100);
    expect(puts.slice(0, 2)).toEqual([
      { phase: 'scheduled', started: undefined },
      { phase: 'transferring', started: 1 },
    ]);
    await session.close();
  });
});

describe('the stored header (invariant #5)', () => {
  it('is written once per block of identifiers and sequence numbers, not with every creation and end, and a relaunch never reuses an identifier of a task already forgotten', async () => {
    const clock = createManualClock();
    const data = createMemoryStoreData();
    let headers = 0;
    const inner = createMemoryStore({ data });
    const store = storeWith(inner, (batch) => ((headers += batch.header === undefined ? 0 : 1), inner.commit(batch)));
    const log = eventLog();
    const byteData = createMemoryByteStoreData();
    const session = await createSession({
      ports: memoryPorts(store, createScriptedTransport(serveBytes(content.subarray(0, 1024), { etag: '"v1"' })), clock, 8, byteData),
      configuration: { identifier: 'header-blocks' },
      hostOptions: { listener: recordingListener(log) },
    });
    const tasks = await Promise.all(Array.from({ length: 100 }, (_, i) => session.download({ url: `https://files.example/${i}.bin` })));
    await runUntil({ clock }, () => session.tasks().length === 0, 100, 200);
    // The open's header, then one per block of 64 identifiers (two blocks) and of 1,024 sequence
    // numbers (one block): 200 events and 100 creations wrote 4 headers, not 301.
    expect(headers).toBeLessThanOrEqual(4);
    // Every task is forgotten (acknowledged): no record holds an identifier, only the header does.
    expect([...(data.records.get('tasks')?.keys() ?? [])]).toEqual([]);
    await session.close();

    const again = await createSession({
      ports: memoryPorts(createMemoryStore({ data }), createScriptedTransport([]), clock, 9, byteData),
      configuration: { identifier: 'header-blocks' },
    });
    const next = await again.download({ url: 'https://files.example/next.bin' });
    expect(next.taskIdentifier).toBeGreaterThan(Math.max(...tasks.map((task) => task.taskIdentifier)));
    await again.close();
  });
});
