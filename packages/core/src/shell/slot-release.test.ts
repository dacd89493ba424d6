import { describe, expect, it } from 'vitest';
import { createManualClock, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createMemoryStore, createSession, type Task } from '../index.js';
import { gate, memoryPorts } from './memory-ports.test-helpers.js';
import { completions, eventLog, recordingListener, runUntil, settle } from './session-fixtures.test-helpers.js';

const content = new Uint8Array(4 * 1024).map((_, i) => (i * 7 + 3) % 251);

/**
 * A session with `maxConcurrentTasks: 1` on memory ports whose byte store holds every sync until
 * `syncs.open()`, as a slow disk would.
 */
async function slowSyncSession(identifier: string, seed: number) {
  const clock = createManualClock();
  const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"' }));
  const ports = memoryPorts(createMemoryStore(), transport, clock, seed);
  const syncs = gate();
  // The memory byte store is an object of closures: its functions work apart from it.
  const byteStore = { ...ports.byteStore, async sync(key: string) { await syncs.pass(); await ports.byteStore.sync(key); } };
  const log = eventLog();
  const session = await createSession({
    ports: { ...ports, byteStore },
    configuration: { identifier, maxConcurrentTasks: 1 },
    hostOptions: { listener: recordingListener(log) },
  });
  return { clock, host: { clock }, transport, syncs, log, session };
}

describe('a slot covers a transfer, not the sync after it', () => {
  it('#14 a task whose whole body is in gives its slot to the next task while its bytes become durable; at most maxConcurrentTasks wait so, then one keeps its slot', async () => {
    const { clock, host, transport, syncs, log, session } = await slowSyncSession('slot-release', 5);
    const tasks: Task[] = [];
    for (const name of ['a', 'b', 'c']) tasks.push(await session.download({ url: `https://files.example/${name}.bin` }));

    // a's body is in and its sync waits: b's request goes out meanwhile.
    await runUntil(host, () => transport.requests.length === 2, 100, 50);
    expect(transport.requests.map((request) => request.url)).toEqual(['https://files.example/a.bin', 'https://files.example/b.bin']);
    // b's body is in too, but one task already syncs outside its slot: b keeps its slot, c waits.
    await runUntil(host, () => syncs.held() === 2, 100, 50);
    await settle(host);
    await clock.advanceAsync(5_000);
    expect(transport.requests).toHaveLength(2);
    expect(log.durable.filter((event) => event.type === 'taskDidComplete')).toEqual([]);

    syncs.open();
    await runUntil(host, () => tasks.every((task) => completions(log, task.taskIdentifier).length === 1), 100, 100);
    expect(transport.requests.map((request) => request.url)).toEqual(['a', 'b', 'c'].map((name) => `https://files.example/${name}.bin`));
    for (const task of tasks) expect(completions(log, task.taskIdentifier)[0]?.error).toBeNull();
    const finished = log.durable.filter((event) => event.type === 'downloadDidFinish').map((event) => event.task.taskIdentifier);
    expect(finished.sort()).toEqual(tasks.map((task) => task.taskIdentifier).sort());
    await session.close();
  });

  it('a task cancelled while it syncs outside its slot ends cancelled, and the task that took its slot finishes', async () => {
    const { host, transport, syncs, log, session } = await slowSyncSession('slot-release-cancel', 8);
    const a = await session.download({ url: 'https://files.example/a.bin' });
    const b = await session.download({ url: 'https://files.example/b.bin' });
    await runUntil(host, () => transport.requests.length === 2, 100, 50);

    const cancelled = a.cancel();
    syncs.open();
    await cancelled;
    await runUntil(host, () => [a, b].every((task) => completions(log, task.taskIdentifier).length === 1), 100, 100);
    expect(completions(log, a.taskIdentifier)[0]?.error?.code).toBe('Cancelled');
    expect(completions(log, b.taskIdentifier)[0]?.error).toBeNull();
    expect(log.durable.filter((event) => event.type === 'downloadDidFinish').map((event) => event.task.taskIdentifier)).toEqual([b.taskIdentifier]);
    expect(transport.requests).toHaveLength(2);
    await session.close();
  });
});
