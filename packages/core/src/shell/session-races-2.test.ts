import { describe, expect, it } from 'vitest';
import { createManualClock, createMemoryHost, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createMemoryStore, createMemoryStoreData, createSession, type ControlResult, type EventItem, type Session, type Task } from '../index.js';
import { gate, memoryPorts, storeWith } from './memory-ports.test-helpers.js';
import { completions, eventLog, failureOf, recordingListener, runUntil, settle, testContent } from './session-fixtures.test-helpers.js';

/*
 * Races between the session's end, its close and its consumers: sessionDidBecomeInvalid stays the
 * last event, an iterator reopened mid-delivery gets each event once, and a control that races
 * close() says what it did.
 */

const kib = 1024;
const content = testContent(64 * kib);
const url = 'https://files.example/big.bin';

describe('the session end waits for every cancel it started', () => {
  it('finishTasksAndInvalidate() with only tasks not yet running delivers each taskDidComplete before sessionDidBecomeInvalid', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport(serveBytes(content, { etag: '"v1"' })), seed: 201 });
    const log = eventLog();
    const session = await host.open({ identifier: 'finish-created' }, { listener: recordingListener(log) });
    for (let i = 0; i < 3; i += 1) await session.download({ url: `${url}?${i}`, resume: false });

    await session.finishTasksAndInvalidate();
    await runUntil(host, () => log.durable.some((event) => event.type === 'sessionDidBecomeInvalid'), 500);
    await settle(host);

    expect(log.durable.map((event) => `${event.type}:${'task' in event ? event.task.taskIdentifier : '-'}`)).toEqual([
      'taskDidComplete:1',
      'taskDidComplete:2',
      'taskDidComplete:3',
      'sessionDidBecomeInvalid:-',
    ]);
    await session.close();
  });

  it('a host that died while finishTasksAndInvalidate() was cancelling cancels the rest at the next open before the session becomes invalid', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport(serveBytes(content, { etag: '"v1"' })), seed: 203 });
    const first = await host.open({ identifier: 'finish-died' });
    for (let i = 0; i < 2; i += 1) await first.download({ url: `${url}?${i}`, resume: false });
    await host.kill();
    // What the store holds when the host died right after committing `finishing`, before any cancel.
    const header = JSON.parse(host.storeData.header!) as Record<string, unknown>;
    host.storeData.header = JSON.stringify({ ...header, lifecycle: 'finishing' });

    const log = eventLog();
    const second = await host.open({ identifier: 'finish-died' }, { listener: recordingListener(log) });
    await runUntil(host, () => log.durable.some((event) => event.type === 'sessionDidBecomeInvalid'), 500);
    await settle(host);

    expect(completions(log, 1).map((event) => event.error?.code)).toEqual(['Cancelled']);
    expect(completions(log, 2).map((event) => event.error?.code)).toEqual(['Cancelled']);
    expect(log.durable.at(-1)!.type).toBe('sessionDidBecomeInvalid');
    expect(second.tasks()).toEqual([]);
    await second.close();
  });
});

describe('a task whose creation is still committing when the session is invalidated', () => {
  it.each([
    ['invalidateAndCancel()', 'cancel', true],
    ['finishTasksAndInvalidate()', 'finish', true],
    ['finishTasksAndInvalidate(), the task created not resumed', 'finish', false],
  ] as const)('%s does not let it escape: it ends before sessionDidBecomeInvalid, and no task is left (it ran in an invalidated session, or stayed created forever)', async (_name, how, resume) => {
    const host = createMemoryHost({ transport: createScriptedTransport(serveBytes(content, { etag: '"v1"' })), seed: 204 });
    const log = eventLog();
    const session = await host.open({ identifier: 'create-vs-invalidate' }, { listener: recordingListener(log) });
    const creating = session.download({ url, resume });
    const invalidating = how === 'cancel' ? session.invalidateAndCancel() : session.finishTasksAndInvalidate();
    const task = await creating;
    await invalidating;
    await runUntil(host, () => log.durable.some((event) => event.type === 'sessionDidBecomeInvalid'), 500);
    await settle(host);
    const order = log.durable.map((event) => event.type);
    expect(order.at(-1)).toBe('sessionDidBecomeInvalid');
    expect(order).toContain('taskDidComplete');
    const ended = completions(log, task.taskIdentifier)[0]!;
    expect(how === 'cancel' || !resume ? ended.error?.code : ended.error).toBe(how === 'cancel' || !resume ? 'Cancelled' : null);
    expect(session.tasks()).toEqual([]);
    await session.close();
  });
});

describe('an iterator reopened while an event is being prepared', () => {
  it('gets that event once, and every later one once', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport(serveBytes(content, { etag: '"v1"' })), seed: 204 });
    const session = await host.open({ identifier: 'iterator-again' });
    const first = session.events();
    void (async () => {
      for await (const item of first) void item;
    })();
    const task = await session.download({ url });
    const seen: string[] = [];
    let loop: Promise<void> = Promise.resolve();
    // The outcome resolves in the continuation of the end commit, while the delivery of the
    // task's first event is being prepared: the app restarts its consumer right then.
    void task.outcome().then(() => {
      void first.return?.();
      const second = session.events();
      loop = (async () => {
        for await (const item of second) {
          if (!('eventId' in item)) continue;
          const ack = await item.ack();
          seen.push(`${item.type}:${ack.acknowledged}`);
        }
      })();
    });
    await runUntil(host, () => seen.length >= 2 && session.tasks().length === 0, 500);
    await settle(host);

    expect(seen).toEqual(['downloadDidFinish:true', 'taskDidComplete:true']);
    await session.close();
    await loop;
  });
});

/** A session on a memory store whose commits, once `hold` is on, land at once but resolve only when `gate` opens. */
async function openHeld(seed: number) {
  const clock = createManualClock();
  const data = createMemoryStoreData();
  const transport = createScriptedTransport(serveBytes(content, { etag: '"v1"', chunkSize: 4 * kib, hangAfter: 16 * kib }));
  const resolving = gate();
  let hold = false;
  const inner = createMemoryStore({ data });
  const store = storeWith(inner, (batch) => {
    const applied = inner.commit(batch);
    return hold ? applied.then(() => resolving.pass()) : applied;
  });
  const session = await createSession({ ports: memoryPorts(store, transport, clock, seed), configuration: { identifier: 'held', checkpointBytes: 4 * kib } });
  const task = await session.download({ url });
  const running = (): boolean => task.info().countOfBytesReceived >= 16 * kib;
  await runUntil({ clock }, running, 100);
  return {
    session,
    task,
    clock,
    resolving,
    holdCommits: () => (hold = true),
    /** Opens the session again over what the store holds, as the next process would. */
    reopen: async (events: EventItem[]): Promise<Session> => {
      const again = await createSession({ ports: memoryPorts(createMemoryStore({ data }), transport, clock, seed + 1), configuration: { identifier: 'held' } });
      const iterator = again.events();
      void (async () => {
        for await (const item of iterator) {
          if (!('eventId' in item)) continue;
          events.push(item);
          await item.ack();
        }
      })();
      return again;
    },
  };
}

/** Calls `control` on a running download, closes the session while its commit resolves, and returns what it answered. */
async function controlRacingClose<T>(seed: number, control: (task: Task) => Promise<T>) {
  const held = await openHeld(seed);
  held.holdCommits();
  const answer = control(held.task).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await settle({ clock: held.clock });
  const closing = held.session.close();
  await settle({ clock: held.clock });
  held.resolving.open();
  const result = await answer;
  await closing;
  const events: EventItem[] = [];
  const again = await held.reopen(events);
  await runUntil({ clock: held.clock }, () => events.some((event) => event.type === 'taskDidComplete') || again.task(1)?.info().phase === 'suspended', 100);
  return { result, events, again };
}

describe('a task control racing close()', () => {
  it('cancel() whose commit landed while the session closed answers changed: true, and the task is cancelled at the next open', async () => {
    const { result, events, again } = await controlRacingClose(205, (task) => task.cancel());
    expect(result).toEqual({ value: { changed: true, phase: 'canceling' } satisfies ControlResult });
    expect(events.map((event) => (event.type === 'taskDidComplete' ? event.error?.code : event.type))).toEqual(['Cancelled']);
    await again.close();
  });

  it('suspend() whose commit landed while the session closed answers changed: true, and the task is suspended at the next open', async () => {
    const { result, again } = await controlRacingClose(206, (task) => task.suspend());
    expect(result).toEqual({ value: { changed: true, phase: 'suspended' } satisfies ControlResult });
    expect(again.task(1)?.info().phase).toBe('suspended');
    await again.close();
  });

  it('cancelProducingResumeData() whose commit landed while the session closed returns the resume data the next open delivers', async () => {
    const { result, events, again } = await controlRacingClose(207, (task) => task.cancelProducingResumeData());
    const end = events.find((event) => event.type === 'taskDidComplete');
    expect(end?.type === 'taskDidComplete' ? end.error?.code : null).toBe('Cancelled');
    const delivered = end?.type === 'taskDidComplete' ? end.error?.resumeData : undefined;
    expect(typeof delivered).toBe('string');
    expect(result).toEqual({ value: delivered });
    await again.close();
  });

  it('a control queued behind a commit the close overtook rejects with SessionClosed instead of claiming a no-op', async () => {
    const held = await openHeld(208);
    held.holdCommits();
    const suspended = held.task.suspend();
    await settle({ clock: held.clock });
    // Queued behind the suspend, whose commit has not resolved: its turn comes after the close.
    const cancelled = failureOf(() => held.task.cancel());
    const closing = held.session.close();
    await settle({ clock: held.clock });
    held.resolving.open();
    await expect(suspended).resolves.toEqual({ changed: true, phase: 'suspended' });
    expect(await cancelled).toMatchObject({ code: 'SessionClosed' });
    await closing;
    const again = await held.reopen([]);
    expect(again.task(1)?.info().phase).toBe('suspended');
    await again.close();
  });
});

describe('a handler that closes the session', () => {
  /** Runs one data task whose taskDidComplete handler closes the session as `handle` does; returns how often the next open delivers it again. */
  async function redeliveredAfter(seed: number, handle: (session: Session, eventId: string) => Promise<void>): Promise<number> {
    const host = createMemoryHost({ transport: createScriptedTransport(serveBytes(testContent(kib))), seed });
    let session: Session | null = null;
    let handled = 0;
    session = await host.open({ identifier: 'closing-handler' }, {
      listener: {
        taskDidComplete: async (event) => {
          handled += 1;
          await handle(session!, event.eventId);
        },
      },
    });
    await session.data({ url });
    await runUntil(host, () => handled > 0, 100);
    await settle(host);
    let again = 0;
    const next = await host.open({ identifier: 'closing-handler' }, { listener: { taskDidComplete: () => void (again += 1) } });
    await settle(host);
    await next.close();
    return again;
  }

  it('that awaits close() has not returned, so its event comes again at the next open (delivery.md)', async () => {
    expect(await redeliveredAfter(209, (session) => session.close())).toBe(1);
  });

  it('that acknowledges its event before awaiting close() is not delivered it again', async () => {
    const again = await redeliveredAfter(210, async (session, eventId) => {
      expect(await session.acknowledge(eventId)).toEqual({ acknowledged: true });
      await session.close();
    });
    expect(again).toBe(0);
  });
});
