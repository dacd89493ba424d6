import * as E from 'fp-ts/lib/Either.js';
import { decodeConfiguration } from '../codecs/decode-configuration.js';
import { decodeResumeData } from '../codecs/resume-data-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import { createScheduler } from '../scheduler/scheduler.js';
import { checkSignal } from './abort-signal.js';
import { AttemptPump } from './attempt-pump.js';
import { EventChannel } from './event-channel.js';
import { performHandOver } from './hand-over.js';
import { checkHostOptions } from './host-options.js';
import { loadStore, type LoadedStore } from './open-store.js';
import { OutboxDelivery } from './outbox-delivery.js';
import { SessionInvalidation } from './session-invalidation.js';
import { SessionRuntime } from './session-runtime.js';
import { relaunchStore } from './relaunch-tasks.js';
import type { CreateSessionOptions, EventItem, Session, Task, TransientEvent } from './session-types.js';
import { earliest } from './earliest.js';
import { expireResumeData } from './store-housekeeping.js';
import { TaskCreation } from './task-creation.js';
import { taskInfo } from './task-info.js';
import { callTransient } from './transient-events.js';

/**
 * Opens a background transfer session on the given ports: decodes the store, applies the relaunch
 * table, re-arms due times, and starts delivering events that ended while no app listened.
 *
 * @example
 * ```ts
 * const session = await createSession({
 *   ports: { store, byteStore, transport, clock, random, connectivity },
 *   configuration: { identifier: 'com.example.sync' },
 *   hostOptions: { listener: { taskDidComplete: (event) => console.log(event.task.taskIdentifier, event.error?.code) } },
 * });
 * const task = await session.download({ url: 'https://example.com/big.iso' });
 * ```
 */
export async function createSession(options: CreateSessionOptions): Promise<Session> {
  const decoded = decodeConfiguration(options.configuration);
  if (E.isLeft(decoded)) throw decoded.left;
  const configuration = decoded.right;
  const { ports } = options;
  const hostOptions = checkHostOptions(options.hostOptions);
  // Before the store is opened: a bad option must not leave its lock taken.
  const scheduler = createScheduler({ maxConnectionsPerHost: configuration.maxConnectionsPerHost, maxConcurrentTasks: configuration.maxConcurrentTasks }, options.scheduler);
  const contents = await ports.store.open();
  let loaded: LoadedStore;
  try {
    loaded = loadStore(contents, configuration, true);
  } catch (error) {
    await ports.store.close().catch(() => undefined);
    throw error;
  }
  const runtime = new SessionRuntime(ports, hostOptions, loaded.header, scheduler);
  let unsubscribe = (): void => undefined;
  try {
    return await openOn(runtime, loaded, (cleanup) => (unsubscribe = cleanup));
  } catch (error) {
    // Nothing may stay behind a failed open: no running attempt, no lock on the store.
    runtime.stop();
    unsubscribe();
    await ports.store.close().catch(() => undefined);
    throw error;
  }
}

async function openOn(runtime: SessionRuntime, loaded: LoadedStore, onSubscribed: (unsubscribe: () => void) => void): Promise<Session> {
  const { ports, hostOptions } = runtime;
  runtime.problems.push(...loaded.problems);
  await runtime.commit([], 'strict', true);

  const listener = hostOptions.listener;
  let channel: EventChannel | null = null;
  const emitTransient = (event: TransientEvent): void => {
    if (listener !== undefined) return callTransient(listener, event);
    channel?.push({ ...event, ack: () => Promise.resolve({ acknowledged: false, reason: 'notDurable' }) } as EventItem, false);
  };
  const delivery = new OutboxDelivery(runtime, listener, loaded.outbox, () => emitTransient({ type: 'sessionDidFinishEvents' }), emitTransient);
  const pump = new AttemptPump(runtime, (event) => emitTransient(event));
  const creation = new TaskCreation(runtime);
  // Every task, those still joining after the open included (decoded now, listed as stored until
  // relaunched): a drain check made while they join must not miss a running one.
  const allTasks = (): readonly Task[] => {
    runtime.loading?.loadRest();
    return [...runtime.records.keys()].map((id) => creation.handles.get(id)).filter((handle) => handle !== undefined);
  };
  const invalidation = new SessionInvalidation(runtime, allTasks, (entries) => runtime.hooks?.deliver(entries), () => creation.settled());
  const handOvers = new Set<Promise<void>>();
  runtime.hooks = {
    startAttempt: (record, grant) => pump.start(record, grant),
    abortAttempt: (id) => pump.abort(id),
    abortAll: () => pump.abortAll(),
    liveProgress: (id) => pump.liveProgress(id),
    handOver: (record) => {
      const running = performHandOver(runtime, record);
      handOvers.add(running);
      void running.finally(() => handOvers.delete(running));
    },
    emitTransient: (effect, record) => {
      if (effect.event.type === 'taskIsWaitingForConnectivity') emitTransient({ type: 'taskIsWaitingForConnectivity', task: taskInfo(record) });
    },
    deliver: (entries) => {
      delivery.add(entries);
      if (entries.some((entry) => entry.payload.type === 'sessionDidBecomeInvalid')) invalidation.committed();
      if (runtime.header.lifecycle === 'finishing') invalidation.checkDrained().catch(() => undefined);
    },
    forgotten: (record) => creation.forgotten(record.taskIdentifier, record.taskKey)?.retire(taskInfo(record)),
    // Resume data expiring is a wake of its own: without it, its bytes would outlive
    // resumeDataLifetime in a session where nothing else happens.
    nextWake: () => earliest([delivery.nextWake(), ...[...runtime.resumeReferences.values()].map((reference) => reference.expiresAt)]),
    onWake: (now) => {
      delivery.onWake(now);
      void expireResumeData(runtime, now);
    },
  };

  for (const reference of loaded.resumeReferences) runtime.resumeReferences.set(reference.partKey, reference);
  const unsubscribe = ports.connectivity.subscribe((network) => runtime.queue.networkChanged(network));
  onSubscribed(unsubscribe);
  // The queue read the network when the runtime was built, before the open commit above: a change
  // while that commit waited on the disk was announced to no one, and the tasks loaded below would
  // wait for connectivity that has already come back (#15).
  runtime.queue.networkChanged(ports.connectivity.current());
  // Not a closure here: what it holds (every record as stored) must not live as long as the session.
  const relaunch = relaunchStore(runtime, loaded, {
    loaded: (record) => creation.loaded(record.taskIdentifier, record.taskKey),
    problem: (problem) => emitTransient({ type: 'storeProblem', problem }),
    backlogReady: () => delivery.start(),
    nextTurn: ports.nextTurn ?? (() => Promise.resolve()),
  });
  // The open resolves now: the backlog is being delivered, and the other stored tasks join in the
  // background (B5). What needs them all waits for them (`afterLoad`), or decodes them (`tasks()`).
  const loading = relaunch.finished.then(
    () => {
      runtime.loading = null;
      if (runtime.stopped) return;
      runtime.requestSchedule();
      // A host that died while the session was finishing: the suspended and created tasks it had
      // not cancelled yet are cancelled now, and if nothing is left to finish, no task end will
      // ever check again, so the invalidation is committed then.
      invalidation.resumeFinishing().catch(() => undefined);
    },
    (error: unknown) => {
      runtime.loading = null;
      // A failed commit has put the session in the failed state already; anything else (the byte
      // store could not list its keys) does now: every call then rejects with StoreFailed.
      if (!runtime.stopped) runtime.fail(error);
    },
  );
  runtime.loading = { finished: loading, loadRest: relaunch.loadRest };

  let closed = false;
  const session: Session = {
    identifier: runtime.configuration.identifier,
    problems: runtime.problems,
    download: (input) => creation.download(input),
    upload: (input) => creation.create('upload', input),
    data: (input) => creation.create('data', input),
    tasks: allTasks,
    task: (id) => {
      if (!runtime.records.has(id)) runtime.loading?.loadRest();
      return runtime.records.has(id) ? creation.handles.get(id) : undefined;
    },
    allTasks: () =>
      runtime.afterLoad(() => {
        // A load that failed (or a close meanwhile) says so rather than listing half the tasks.
        runtime.assertUsable();
        return allTasks();
      }),
    events: (signal) => {
      runtime.assertUsable();
      const checked = checkSignal(signal, 'events');
      if (listener !== undefined) throw new BgSessionError('InvalidArgument', 'events(): this session was opened with a listener, which is its acknowledging consumer.', { field: 'listener' });
      if (channel !== null) throw new BgSessionError('InvalidArgument', 'events(): the session already has an event iterator; end it (break, return()) to open another.', { field: 'events' });
      const opened = new EventChannel();
      channel = opened;
      // When the iterator ends, another may be opened; the entry it held is delivered to that one.
      opened.onClose(() => {
        if (channel === opened) channel = null;
        delivery.detach(opened);
      });
      checked?.addEventListener('abort', () => opened.close(), { once: true });
      delivery.attach(opened);
      return opened;
    },
    acknowledge: async (eventId) => {
      runtime.assertUsable();
      if (typeof eventId !== 'string') throw new BgSessionError('InvalidArgument', 'acknowledge(): eventId must be a string', { field: 'eventId' });
      return delivery.acknowledge(eventId);
    },
    credentialsChanged: async () => {
      runtime.assertUsable();
      await runtime.afterLoad(async () => {
        runtime.assertUsable();
        const at = ports.clock.now();
        const waiting = [...runtime.records.values()].filter((record) => record.phase === 'scheduled' && record.reason === 'credentials');
        await Promise.all(waiting.map((record) => runtime.dispatch(record.taskIdentifier, { type: 'credentialsSupplied', now: at })));
      });
    },
    discardResumeData: async (value) => {
      runtime.assertUsable();
      const decodedData = decodeResumeData(value);
      if (E.isLeft(decodedData)) throw decodedData.left;
      // A task stored `canceling` gets its resume data's reference when it is relaunched.
      await runtime.afterLoad(async () => {
        runtime.assertUsable();
        const key = decodedData.right.partKey;
        runtime.resumeSecrets.delete(key);
        if (!runtime.resumeReferences.delete(key)) return;
        await runtime.commit([{ type: 'delete', collection: 'resumeData', key }], 'strict', false);
        await ports.byteStore.delete(key).catch(() => undefined);
      });
    },
    finishTasksAndInvalidate: () => runtime.afterLoad(() => invalidation.finishTasksAndInvalidate()),
    invalidateAndCancel: () => runtime.afterLoad(() => invalidation.invalidateAndCancel()),
    invalidated: (signal) => invalidation.invalidated(signal),
    close: async () => {
      // A runtime stopped by a failed store still holds the store's lock: close releases it, so the
      // session can be reopened (semantics section 4), and only the first close does.
      if (closed) return;
      closed = true;
      // An acknowledgement being committed finishes first: a handler that returned just before
      // close() is not delivered again at the next open.
      await delivery.flush();
      runtime.stop();
      unsubscribe();
      channel?.close();
      delivery.stop();
      // The tasks still joining stop at their next step; nothing is written after close resolves.
      await loading;
      await pump.settled();
      await Promise.all([...handOvers]);
      await ports.store.close().catch(() => undefined);
    },
  };
  return session;
}
