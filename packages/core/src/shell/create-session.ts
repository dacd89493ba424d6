import * as E from 'fp-ts/lib/Either.js';
import { decodeConfiguration } from '../codecs/decode-configuration.js';
import { decodeResumeData } from '../codecs/resume-data-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import { newTaskRecord } from '../machines/new-task-record.js';
import { stepTask } from '../machines/step-task.js';
import { isTerminalPhase } from '../machines/public-state.js';
import { createScheduler } from '../scheduler/scheduler.js';
import type { TaskKind } from '../model/task-types.js';
import type { StoreOperation } from '../ports/store.js';
import { AttemptPump } from './attempt-pump.js';
import { EventChannel } from './event-channel.js';
import { performHandOver } from './hand-over.js';
import { checkHostOptions } from './host-options.js';
import { loadStore } from './open-store.js';
import { OutboxDelivery } from './outbox-delivery.js';
import { encodeOutboxRecord, encodeTask } from './persistence.js';
import { SessionRuntime } from './session-runtime.js';
import type { CreateSessionOptions, EventItem, Session, SessionListener, Task, TransientEvent } from './session-types.js';
import { TaskHandle } from './task-handle.js';
import { resolveTaskInput } from './task-input.js';
import { taskInfo } from './task-info.js';

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
  const contents = await ports.store.open();
  let loaded: ReturnType<typeof loadStore>;
  try {
    loaded = loadStore(contents, configuration);
  } catch (error) {
    await ports.store.close().catch(() => undefined);
    throw error;
  }
  const scheduler = createScheduler({ maxConnectionsPerHost: configuration.maxConnectionsPerHost, maxConcurrentTasks: configuration.maxConcurrentTasks });
  const runtime = new SessionRuntime(ports, hostOptions, loaded.header, scheduler);
  runtime.problems.push(...loaded.problems);
  await runtime.commit([], 'strict', true);

  const listener = hostOptions.listener;
  let channel: EventChannel | null = null;
  const emitTransient = (event: TransientEvent): void => {
    if (listener !== undefined) return callTransient(listener, event);
    channel?.push({ ...event, ack: () => Promise.resolve({ acknowledged: false, reason: 'notDurable' }) } as EventItem, false);
  };
  const delivery = new OutboxDelivery(runtime, listener, loaded.outbox, () => emitTransient({ type: 'sessionDidFinishEvents' }));
  const pump = new AttemptPump(runtime, (event) => emitTransient(event));
  const invalidationWaiters: Array<() => void> = [];
  // The invalidation commit in flight: every caller that finds the session drained waits for the
  // same one, so `finishTasksAndInvalidate()` never resolves before `sessionDidBecomeInvalid` is
  // durable, and two callers never commit it twice.
  let invalidation: Promise<void> | null = null;
  runtime.hooks = {
    startAttempt: (record) => pump.start(record),
    abortAttempt: (id) => pump.abort(id),
    handOver: (record) => void performHandOver(runtime, record),
    emitTransient: (effect, record) => {
      if (effect.event.type === 'taskIsWaitingForConnectivity') emitTransient({ type: 'taskIsWaitingForConnectivity', task: taskInfo(record) });
    },
    deliver: (entries) => {
      delivery.add(entries);
      if (entries.some((entry) => entry.payload.type === 'sessionDidBecomeInvalid')) for (const w of invalidationWaiters.splice(0)) w();
      if (runtime.header.lifecycle === 'finishing') void checkDrained().catch(() => undefined);
    },
    // Resume data expiring is a wake of its own: without it, its bytes would outlive
    // resumeDataLifetime in a session where nothing else happens.
    forgotten: (record) => {
      handles.get(record.taskIdentifier)?.retire(taskInfo(record));
      handles.delete(record.taskIdentifier);
    },
    nextWake: () => earliest([delivery.nextWake(), ...[...runtime.resumeReferences.values()].map((reference) => reference.expiresAt)]),
    onWake: (now) => {
      delivery.onWake(now);
      void expireResumeData(now);
    },
  };

  for (const reference of loaded.resumeReferences) runtime.resumeReferences.set(reference.partKey, reference);
  const handles = new Map<number, TaskHandle>();
  for (const record of loaded.tasks) {
    runtime.track(record);
    handles.set(record.taskIdentifier, new TaskHandle(runtime, record.taskIdentifier));
  }
  const unsubscribe = ports.connectivity.subscribe((network) => runtime.networkChanged(network));
  for (const problem of loaded.problems) emitTransient({ type: 'storeProblem', problem });
  const now = ports.clock.now();
  for (const record of loaded.tasks) {
    if (!isTerminalPhase(record.phase)) void runtime.dispatch(record.taskIdentifier, { type: 'relaunched', now });
  }
  await removeOrphanBytes();
  delivery.start();
  runtime.requestSchedule();
  // A host that died while the session was finishing: if nothing is left to finish, no task end
  // will ever check again, so the invalidation is committed now.
  if (runtime.header.lifecycle === 'finishing') void checkDrained().catch(() => undefined);

  async function removeOrphanBytes(): Promise<void> {
    if (loaded.quarantined.size > 0) return;
    const owned = new Set<string>(runtime.resumeReferences.keys());
    for (const record of runtime.records.values()) {
      if (record.partKey !== null) owned.add(record.partKey);
      if (record.body !== null) owned.add(record.body.ref);
      if (record.response !== null) owned.add(record.response.bodyKey);
    }
    for (const entry of loaded.outbox) {
      if (entry.payload.type === 'taskDidComplete' && entry.payload.response !== null) owned.add(entry.payload.response.bodyKey);
    }
    for (const key of await ports.byteStore.keys()) if (!owned.has(key)) await ports.byteStore.delete(key).catch(() => undefined);
  }

  async function expireResumeData(at: number): Promise<void> {
    for (const reference of [...runtime.resumeReferences.values()]) {
      if (reference.expiresAt > at) continue;
      runtime.resumeReferences.delete(reference.partKey);
      await runtime.commit([{ type: 'delete', collection: 'resumeData', key: reference.partKey }], runtime.lazyDurability, false).catch(() => undefined);
      await ports.byteStore.delete(reference.partKey).catch(() => undefined);
    }
  }

  function checkDrained(): Promise<void> {
    if (invalidation !== null) return invalidation;
    if (runtime.header.lifecycle !== 'finishing') return Promise.resolve();
    for (const record of runtime.records.values()) {
      if (!isTerminalPhase(record.phase) && record.phase !== 'suspended' && record.phase !== 'created') return Promise.resolve();
    }
    invalidation = commitInvalidation();
    return invalidation;
  }

  async function commitInvalidation(): Promise<void> {
    runtime.header = { ...runtime.header, lifecycle: 'invalidated', highestSequence: runtime.header.highestSequence + 1 };
    const entry = { eventId: ports.random.id(), sequence: runtime.header.highestSequence, committedAt: ports.clock.now(), payload: { type: 'sessionDidBecomeInvalid' as const, error: null } };
    await runtime.commit([{ type: 'put', collection: 'outbox', key: String(entry.sequence), value: encodeOutboxRecord(entry) }], 'strict', true);
    runtime.hooks?.deliver([entry]);
  }

  async function create(kind: TaskKind, input: unknown): Promise<Task> {
    runtime.assertUsable();
    if (runtime.header.lifecycle !== 'active') throw new BgSessionError('SessionInvalidated', 'The session is invalidated and takes no new tasks.');
    const resolved = resolveTaskInput(kind, input, runtime.configuration, ports.hasher !== undefined);
    if (resolved.taskKey !== null) {
      for (const record of runtime.records.values()) {
        if (record.taskKey === resolved.taskKey) return handles.get(record.taskIdentifier)!;
      }
    }
    return insert(kind, resolved, undefined);
  }

  async function insert(kind: TaskKind, resolved: ReturnType<typeof resolveTaskInput>, resumeFrom: Parameters<typeof newTaskRecord>[0]['resumeFrom']): Promise<Task> {
    const taskIdentifier = runtime.header.highestTaskIdentifier + 1;
    runtime.header = { ...runtime.header, highestTaskIdentifier: taskIdentifier };
    let body = null;
    if (resolved.body !== null) {
      const ref = `body-${taskIdentifier}`;
      await ports.byteStore.append(ref, resolved.body.slice());
      await ports.byteStore.sync(ref);
      body = { ref, owned: true, size: resolved.body.byteLength, mtimeMs: null, identity: null };
    }
    const record = newTaskRecord({
      taskIdentifier, kind, request: resolved.request, options: resolved.options, createdAt: ports.clock.now(),
      taskKey: resolved.taskKey, taskDescription: resolved.taskDescription, body, ...(resumeFrom === undefined ? {} : { resumeFrom }),
      credentialHeaders: Object.keys(resolved.secrets),
    });
    // Created running (the default): the resume is part of the creation commit, one write per task.
    const resumed = resolved.resume ? stepTask(record, { type: 'resume', now: ports.clock.now() }, { retry: runtime.configuration.retry }) : null;
    const stored = resumed?.record ?? record;
    const operations: StoreOperation[] = [{ type: 'put', collection: 'tasks', key: String(taskIdentifier), value: encodeTask(stored, runtime.configuration) }];
    if (resumeFrom?.partKey != null) {
      runtime.resumeReferences.delete(resumeFrom.partKey);
      operations.push({ type: 'delete', collection: 'resumeData', key: resumeFrom.partKey });
    }
    await runtime.commit(operations, 'strict', true);
    if (Object.keys(resolved.secrets).length > 0) runtime.secrets.set(taskIdentifier, resolved.secrets);
    const handle = new TaskHandle(runtime, taskIdentifier);
    handles.set(taskIdentifier, handle);
    await runtime.adopt(stored, resumed?.effects ?? []);
    return handle;
  }

  async function downloadWithResumeData(value: string): Promise<Task> {
    runtime.assertUsable();
    const decodedData = decodeResumeData(value);
    if (E.isLeft(decodedData)) throw decodedData.left;
    const data = decodedData.right;
    if (data.sessionIdentifier !== configuration.identifier) {
      throw new BgSessionError('InvalidResumeData', `resumeData: it belongs to session "${data.sessionIdentifier}"`, { field: 'resumeData' });
    }
    const reference = runtime.resumeReferences.get(data.partKey);
    if (reference === undefined || reference.expiresAt <= ports.clock.now()) {
      throw new BgSessionError('InvalidResumeData', 'resumeData: its bytes are gone (used, discarded or expired)', { field: 'resumeData' });
    }
    if (runtime.header.lifecycle !== 'active') throw new BgSessionError('SessionInvalidated', 'The session is invalidated and takes no new tasks.');
    const resolved = resolveTaskInput('download', { url: data.originalUrl, headers: data.currentRequest.headers }, runtime.configuration, ports.hasher !== undefined);
    return insert('download', resolved, {
      partKey: data.partKey,
      checkpoint: { offset: data.bytesKept, validator: data.validator, expectedLength: data.expectedLength, bootIdentity: data.bootIdentity },
    });
  }

  let closed = false;
  const session: Session = {
    identifier: configuration.identifier,
    problems: runtime.problems,
    download: (input) => (typeof input === 'string' && !looksLikeUrl(input) ? downloadWithResumeData(input) : create('download', typeof input === 'string' ? { url: input } : input)),
    upload: (input) => create('upload', input),
    data: (input) => create('data', input),
    tasks: () => [...runtime.records.keys()].map((id) => handles.get(id)).filter((h): h is TaskHandle => h !== undefined),
    task: (id) => (runtime.records.has(id) ? handles.get(id) : undefined),
    events: (signal) => {
      runtime.assertUsable();
      if (listener !== undefined) throw new BgSessionError('InvalidArgument', 'events(): this session was opened with a listener, which is its acknowledging consumer.', { field: 'listener' });
      if (channel !== null) throw new BgSessionError('InvalidArgument', 'events(): the session already has an event iterator.', { field: 'events' });
      channel = new EventChannel();
      const opened = channel;
      signal?.addEventListener('abort', () => opened.close(), { once: true });
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
      const now = ports.clock.now();
      const waiting = [...runtime.records.values()].filter((record) => record.phase === 'scheduled' && record.reason === 'credentials');
      await Promise.all(waiting.map((record) => runtime.dispatch(record.taskIdentifier, { type: 'credentialsSupplied', now })));
    },
    discardResumeData: async (value) => {
      runtime.assertUsable();
      const decodedData = decodeResumeData(value);
      if (E.isLeft(decodedData)) throw decodedData.left;
      const key = decodedData.right.partKey;
      if (!runtime.resumeReferences.delete(key)) return;
      await runtime.commit([{ type: 'delete', collection: 'resumeData', key }], 'strict', false);
      await ports.byteStore.delete(key).catch(() => undefined);
    },
    finishTasksAndInvalidate: async () => {
      runtime.assertUsable();
      if (runtime.header.lifecycle !== 'active') return;
      runtime.header = { ...runtime.header, lifecycle: 'finishing' };
      await runtime.commit([], 'strict', true);
      for (const handle of session.tasks()) {
        const phase = handle.info().phase;
        if (phase === 'suspended' || phase === 'created') await handle.cancelProducingResumeData();
      }
      await checkDrained();
    },
    invalidateAndCancel: async () => {
      runtime.assertUsable();
      if (runtime.header.lifecycle === 'invalidated') return;
      if (runtime.header.lifecycle === 'active') {
        runtime.header = { ...runtime.header, lifecycle: 'finishing' };
        await runtime.commit([], 'strict', true);
      }
      await Promise.all(session.tasks().map((handle) => handle.cancel()));
      await checkDrained();
    },
    invalidated: (signal) =>
      new Promise<void>((resolve, reject) => {
        if (runtime.header.lifecycle === 'invalidated') return resolve();
        invalidationWaiters.push(resolve);
        signal?.addEventListener('abort', () => reject(new BgSessionError('InvalidArgument', 'invalidated(): the signal was aborted.', { field: 'signal' })), { once: true });
      }),
    close: async () => {
      // A runtime stopped by a failed store still holds the store's lock: close releases it, so the
      // session can be reopened (semantics section 4), and only the first close does.
      if (closed) return;
      closed = true;
      runtime.stop();
      unsubscribe();
      delivery.stop();
      await pump.settled();
      await ports.store.close().catch(() => undefined);
    },
  };
  return session;
}

function earliest(instants: ReadonlyArray<number | null>): number | null {
  let first: number | null = null;
  for (const instant of instants) if (instant !== null && (first === null || instant < first)) first = instant;
  return first;
}

/**
 * Whether a string given to `download` is meant as a URL rather than resume data. Resume data is
 * base64url, which never holds `:` or `/`, so anything with a scheme or a slash is checked as a URL
 * (`ftp://...`, `javascript:...` and relative paths are then `InvalidUrl`, not `InvalidResumeData`).
 */
function looksLikeUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(value) || value.includes('/');
}

function callTransient(listener: SessionListener, event: TransientEvent): void {
  try {
    switch (event.type) {
      case 'taskDidWriteData':
        return listener.taskDidWriteData?.(event);
      case 'taskDidSendBodyData':
        return listener.taskDidSendBodyData?.(event);
      case 'taskIsWaitingForConnectivity':
        return listener.taskIsWaitingForConnectivity?.(event);
      case 'sessionDidFinishEvents':
        return listener.sessionDidFinishEvents?.();
      case 'storeProblem':
        return listener.storeProblem?.(event);
    }
  } catch {
    // Transient events are best effort; a throwing handler must not break the transfer.
  }
}
