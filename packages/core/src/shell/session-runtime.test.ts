import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost } from '@bgsession/testing';
import type { DurableEvent, Session, SessionListener } from '../index.js';

const content = new Uint8Array(300 * 1024).map((_, i) => (i * 31 + 7) % 251);
const url = 'https://files.example/big.bin';

/** Advances the manual clock until `done` holds, in bounded steps. */
async function runUntil(host: MemoryHost, done: () => boolean, stepMs = 1000, maxSteps = 2000): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i += 1) {
    await host.clock.flush();
    if (done()) return;
    await host.clock.advanceAsync(stepMs);
  }
  await host.clock.flush();
  if (!done()) throw new Error('the condition did not hold within the bounded run');
}

function recordingListener(log: DurableEvent[], options: { failOnce?: boolean; hang?: boolean } = {}): SessionListener {
  let failed = false;
  const handle = (event: DurableEvent) => {
    log.push(event);
    if (options.failOnce === true && !failed) {
      failed = true;
      throw new Error('the app crashed in its handler');
    }
    if (options.hang === true) return new Promise<void>(() => undefined);
    return undefined;
  };
  return { downloadDidFinish: handle, taskDidComplete: handle, sessionDidBecomeInvalid: handle };
}

describe('the session runtime on the in-memory adapters', () => {
  it('a download that fails twice, backs off, resumes and succeeds delivers its events once each', async () => {
    const transport = createScriptedTransport([
      { type: 'fail', code: 'ConnectionFailed' },
      { type: 'respond', status: 200, headers: { etag: '"v1"', 'content-length': String(content.length) }, body: content, chunkSize: 16 * 1024, failAfter: { bytes: 100 * 1024, code: 'ConnectionFailed' } },
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024 }),
    ]);
    const host = createMemoryHost({ transport, seed: 7 });
    const events: DurableEvent[] = [];
    const session = await host.open({ identifier: 'story', checkpointBytes: 32 * 1024 }, { listener: recordingListener(events) });
    const task = await session.download({ url, destination: { type: 'path', path: '/downloads/big.bin', ifExists: 'fail' } });
    await runUntil(host, () => events.length === 2);

    expect(events.map((e) => e.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
    expect(host.byteData.readFile('/downloads/big.bin')).toEqual(content);
    expect(transport.requests).toHaveLength(3);
    const resumed = transport.requests[2]!;
    const kept = Number(/bytes=(\d+)-/.exec(resumed.headers['range'] ?? '')?.[1]);
    expect(kept).toBeGreaterThanOrEqual(96 * 1024);
    expect(resumed.headers['if-range']).toBe('"v1"');
    const outcome = await task.outcome();
    expect(outcome.phase).toBe('succeeded');
    await runUntil(host, () => session.tasks().length === 0);
    await session.close();
  });

  it('a kill between the end and the acknowledgement redelivers the same eventId after the relaunch', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 3 });
    const first: DurableEvent[] = [];
    const session = await host.open({ identifier: 'kill-before-ack' }, { listener: recordingListener(first, { hang: true }) });
    await session.download({ url });
    await runUntil(host, () => first.length === 1);
    await host.kill();

    const second: DurableEvent[] = [];
    const again = await host.open({ identifier: 'kill-before-ack' }, { listener: recordingListener(second) });
    await runUntil(host, () => second.length === 2);
    expect(second[0]!.eventId).toBe(first[0]!.eventId);
    expect(second.map((e) => e.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    await again.close();
  });

  it('a kill after the acknowledgement does not redeliver', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 4 });
    const first: DurableEvent[] = [];
    const session = await host.open({ identifier: 'kill-after-ack' }, { listener: recordingListener(first) });
    await session.download({ url });
    await runUntil(host, () => first.length === 2 && session.tasks().length === 0);
    await host.kill();

    const second: DurableEvent[] = [];
    const again = await host.open({ identifier: 'kill-after-ack' }, { listener: recordingListener(second) });
    await host.clock.advanceAsync(60_000);
    expect(second).toEqual([]);
    expect(again.tasks()).toEqual([]);
    await again.close();
  });

  it('a listener that throws gets the same event again, and it is acknowledged once', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 5 });
    const events: DurableEvent[] = [];
    const session = await host.open({ identifier: 'throwing-listener' }, { listener: recordingListener(events, { failOnce: true }) });
    await session.download({ url });
    await runUntil(host, () => events.length === 3);
    expect(events[0]!.eventId).toBe(events[1]!.eventId);
    expect(await session.acknowledge(events[0]!.eventId)).toEqual({ acknowledged: false, reason: 'alreadyAcknowledged' });
    expect(await session.acknowledge('0'.repeat(32))).toEqual({ acknowledged: false, reason: 'unknownEvent' });
    await session.close();
  });

  it('the event iterator delivers one durable event at a time until ack()', async () => {
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 6 });
    const session: Session = await host.open({ identifier: 'iterator' });
    await session.data({ url: 'https://api.example/items' });
    const iterator = session.events();
    await runUntil(host, () => session.tasks()[0]?.info().state === 'completed');
    let item = await iterator.next();
    while (item.done !== true && item.value.type !== 'taskDidComplete') item = await iterator.next();
    expect(item.value?.type).toBe('taskDidComplete');
    if (item.value?.type === 'taskDidComplete') {
      expect(item.value.response?.body).toEqual(content);
      expect(await item.value.ack()).toEqual({ acknowledged: true });
      expect(await item.value.ack()).toEqual({ acknowledged: false, reason: 'alreadyAcknowledged' });
    }
    await session.close();
  });
});
