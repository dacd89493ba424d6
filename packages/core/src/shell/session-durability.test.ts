import { describe, expect, it } from 'vitest';
import {
  createManualClock,
  createMemoryConnectivity,
  createNodeTestHasher,
  createScriptedTransport,
  createSeededRandom,
  serveBytes,
} from '@bgsession/testing';
import { createMemoryByteStore, createMemoryStore, createSession, type Store, type StoreBatch } from '../index.js';
import { completions, eventLog, recordingListener, runUntil } from './session-fixtures.test-helpers.js';

const content = new Uint8Array(64 * 1024).map((_, i) => (i * 5 + 1) % 251);

/** What one commit was for, and how durable it was asked to be. */
interface CommitSeen {
  readonly durability: StoreBatch['durability'];
  /** `phase` of each task record put, `+outbox` / `-outbox` / `-task` for the rest. */
  readonly changes: readonly string[];
}

function watchedStore(inner: Store, seen: CommitSeen[]): Store {
  return {
    capabilities: inner.capabilities,
    open: () => inner.open(),
    close: () => inner.close(),
    commit(batch) {
      const changes = batch.operations.map((operation) => {
        if (operation.type === 'delete') return operation.collection === 'tasks' ? '-task' : `-${operation.collection}`;
        if (operation.collection === 'tasks') return String((operation.value as { phase?: unknown }).phase);
        return `+${operation.collection}`;
      });
      seen.push({ durability: batch.durability, changes });
      return inner.commit(batch);
    },
  };
}

async function commitsOfOneDownload(durability: 'strict' | 'relaxed'): Promise<CommitSeen[]> {
  const clock = createManualClock();
  const seen: CommitSeen[] = [];
  const log = eventLog();
  const session = await createSession({
    ports: {
      store: watchedStore(createMemoryStore(), seen),
      byteStore: createMemoryByteStore(),
      transport: createScriptedTransport(serveBytes(content, { etag: '"v1"' })),
      clock,
      random: createSeededRandom(3),
      connectivity: createMemoryConnectivity(),
      hasher: createNodeTestHasher(),
    },
    configuration: { identifier: `durability-${durability}` },
    hostOptions: { durability, listener: recordingListener(log) },
  });
  seen.length = 0;
  const task = await session.download({ url: 'https://files.example/a.bin' });
  await runUntil({ clock }, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0, 100, 100);
  await session.close();
  return seen;
}

/** The commits of one download, in order: its creation, its steps, its end, the two acknowledgements. */
const lifecycle = [['scheduled'], ['connecting'], ['transferring'], ['handingOver'], ['succeeded', '+outbox', '+outbox'], ['-outbox'], ['-outbox', '-task']];

describe('how durable each commit of a download is (semantics section 7)', () => {
  it('strict: every commit is strict', async () => {
    expect(await commitsOfOneDownload('strict')).toEqual(lifecycle.map((changes) => ({ durability: 'strict', changes })));
  });

  it("relaxed: the task's creation, its end with its events, and the acknowledgements are strict; the attempt's steps (checkpoint, hand-over) are relaxed", async () => {
    const relaxed = new Set(['connecting', 'transferring', 'handingOver']);
    expect(await commitsOfOneDownload('relaxed')).toEqual(
      lifecycle.map((changes) => ({ durability: relaxed.has(changes[0] ?? '') ? 'relaxed' : 'strict', changes })),
    );
  });
});
