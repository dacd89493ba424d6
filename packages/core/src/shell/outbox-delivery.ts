import { BgSessionError } from '../errors/bg-session-error.js';
import { fromPersistedError } from '../codecs/persisted-error-codec.js';
import { isTerminalPhase } from '../machines/public-state.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { TaskRecord } from '../model/task-types.js';
import type { StoreOperation } from '../ports/store.js';
import type { EventChannel } from './event-channel.js';
import type { SessionRuntime } from './session-runtime.js';
import type { AckResult, DurableEvent, SessionListener, TaskInfo, TransientEvent } from './session-types.js';

/** What {@link OutboxDelivery} tells the app when it could not hand an event over. */
export type DeliveryFailure = Extract<TransientEvent, { type: 'eventDeliveryFailed' }>;
import { taskError, taskInfo } from './task-info.js';

const retryBase = 1000;
const retryCap = 30_000;
/**
 * Removals committing at once, past which the next entry waits for one of them. A relaunch with
 * 10,000 events owed delivered them all in one burst of concurrent commits, which left B5's process
 * 65 MiB larger after a full GC (fragmentation; each commit in flight holds its batch and its
 * promises); 256 bound it with B3 unchanged.
 */
const maxRemovalsInFlight = 256;

/**
 * Delivers the outbox (semantics section 3): one entry at a time, in commit order, to the one
 * acknowledging consumer, until it is acknowledged, and never after. The acknowledgement is the
 * durable commit that removes the entry; the next entry is delivered while it commits (ADR 15). A
 * listener that throws gets the entry again after a backoff; a host that dies before the removal is
 * durable delivers the entry again after the relaunch, with the same `eventId`. Each failed delivery
 * is reported (`eventDeliveryFailed`) before the backoff, so a handler that keeps throwing is seen.
 */
export class OutboxDelivery {
  /** Unacknowledged entries in sequence order; almost always taken from the front. */
  private readonly pending: OutboxEntry[] = [];
  /** How many of `pending` each task has: a task is forgotten with its last entry's removal. */
  private readonly pendingPerTask = new Map<number, number>();
  private readonly acknowledged = new Set<string>();
  private readonly backlog: Set<string>;
  private current: OutboxEntry | null = null;
  private retryAt: number | null = null;
  private failures = 0;
  private ackChain: Promise<unknown> = Promise.resolve();
  /** Removals asked for and not yet committed, by eventId. */
  private readonly committing = new Map<string, Promise<AckResult>>();
  private channel: EventChannel | null = null;
  private stopped = false;

  constructor(
    private readonly runtime: SessionRuntime,
    private readonly listener: SessionListener | undefined,
    backlog: readonly OutboxEntry[],
    private readonly finishedEvents: () => void,
    private readonly failed: (failure: DeliveryFailure) => void = () => undefined,
  ) {
    for (const entry of [...backlog].sort((a, b) => a.sequence - b.sequence)) this.hold(entry, this.pending.length);
    this.backlog = new Set(backlog.map((entry) => entry.eventId));
  }

  /** Entries not yet acknowledged (for tests and invalidation). */
  get size(): number {
    return this.pending.length;
  }

  attach(channel: EventChannel): void {
    this.channel = channel;
    this.pump();
  }

  start(): void {
    this.pump();
  }

  /**
   * The iterator ended: the entry it held unacknowledged goes to the next consumer
   * (`session.events()` again), first, with the same `eventId`.
   */
  detach(channel: EventChannel): void {
    if (this.channel !== channel) return;
    this.channel = null;
    if (this.current !== null && this.listener === undefined) this.current = null;
  }

  /** Resolves when the acknowledgements already asked for are committed (a graceful close waits). */
  async flush(): Promise<void> {
    await this.ackChain;
    await Promise.allSettled([...this.committing.values()]);
  }

  stop(): void {
    this.stopped = true;
    this.channel?.close();
  }

  /** Newly committed entries. */
  add(entries: readonly OutboxEntry[]): void {
    for (const entry of entries) {
      let index = this.pending.length;
      while (index > 0 && this.pending[index - 1]!.sequence > entry.sequence) index -= 1;
      this.hold(entry, index);
    }
    this.pump();
  }

  nextWake(): number | null {
    return this.retryAt;
  }

  onWake(now: number): void {
    if (this.retryAt !== null && this.retryAt <= now) {
      this.retryAt = null;
      this.current = null;
      this.pump();
    }
  }

  /**
   * Acknowledges an entry: one durable removal. Twice, or an unknown id, is a no-op that says so.
   * The entry leaves the queue at once and the next one is delivered while its removal commits:
   * removals still commit in the order they were asked for (the store resolves commits in call
   * order), several commit together when they pile up, and a host that dies before one is durable
   * delivers that entry again after the relaunch, with the same `eventId`, as before.
   */
  acknowledge(eventId: string): Promise<AckResult> {
    this.runtime.ports.probe?.pass('handler-returned');
    const started = this.ackChain.then(() => this.startAck(eventId));
    this.ackChain = started.catch(() => undefined);
    return started.then((ack) => ack.done);
  }

  /** Takes the entry out of the queue and starts its durable removal; `done` resolves once it is committed. */
  private startAck(eventId: string): { readonly done: Promise<AckResult> } {
    // The entry acknowledged is the one delivered, at the front, unless an iterator's item was
    // acknowledged late.
    const index = this.pending[0]?.eventId === eventId ? 0 : this.pending.findIndex((entry) => entry.eventId === eventId);
    if (index < 0) {
      const committing = this.committing.get(eventId);
      const answer = (): AckResult => ({ acknowledged: false, reason: this.acknowledged.has(eventId) ? 'alreadyAcknowledged' : 'unknownEvent' });
      return { done: committing === undefined ? Promise.resolve(answer()) : committing.then(answer, answer) };
    }
    const entry = this.pending[index]!;
    const operations: StoreOperation[] = [{ type: 'delete', collection: 'outbox', key: String(entry.sequence) }];
    const cleanup: Array<() => Promise<void>> = [];
    const payload = entry.payload;
    if (payload.type !== 'sessionDidBecomeInvalid') {
      const id = payload.taskIdentifier;
      const record = this.runtime.records.get(id);
      const others = (this.pendingPerTask.get(id) ?? 0) > 1;
      if (record !== undefined && !others && isTerminalPhase(record.phase)) {
        operations.push(this.runtime.forget(id));
        // What the byte store may still keep for the key (a hand-over marker, or a partial file a
        // power loss brought back after a cancel) goes with the task, unless resume data owns it.
        // A task that produced resume data gave its bytes away: to the resume data, to the task
        // made from it since (which owns them now), or to their expiry (which deleted them).
        const partKey = record.partKey;
        const gaveBytesAway = record.error?.resumeData != null || (partKey !== null && this.runtime.resumeReferences.has(partKey));
        if (partKey !== null && (record.phase === 'succeeded' || !gaveBytesAway)) {
          cleanup.push(() => this.runtime.ports.byteStore.delete(partKey));
        }
      }
      const byteStore = this.runtime.ports.byteStore;
      if (payload.type === 'downloadDidFinish' && payload.inStore) cleanup.push(() => byteStore.deleteLocation(payload.location));
      if (payload.type === 'taskDidComplete' && payload.response !== null) {
        const key = payload.response.bodyKey;
        cleanup.push(() => byteStore.delete(key));
      }
    }
    this.release(index);
    const committed = this.runtime.commit(operations, 'strict', false);
    const done = (async (): Promise<AckResult> => {
      try {
        await committed;
      } catch (error) {
        // Not acknowledged after all (the store failed): the entry is owed again.
        this.add([entry]);
        throw error;
      } finally {
        this.committing.delete(eventId);
        this.pump();
      }
      this.acknowledged.add(eventId);
      for (const step of cleanup) await step().catch(() => undefined);
      if (this.backlog.delete(eventId) && this.backlog.size === 0) this.finishedEvents();
      return { acknowledged: true };
    })();
    this.committing.set(eventId, done);
    if (this.current === entry) {
      this.current = null;
      this.failures = 0;
      this.retryAt = null;
    }
    this.pump();
    return { done };
  }

  private hold(entry: OutboxEntry, index: number): void {
    if (index === this.pending.length) this.pending.push(entry);
    else this.pending.splice(index, 0, entry);
    if (entry.payload.type !== 'sessionDidBecomeInvalid') {
      const id = entry.payload.taskIdentifier;
      this.pendingPerTask.set(id, (this.pendingPerTask.get(id) ?? 0) + 1);
    }
  }

  private release(index: number): void {
    const [entry] = index === 0 ? [this.pending.shift()] : this.pending.splice(index, 1);
    if (entry === undefined || entry.payload.type === 'sessionDidBecomeInvalid') return;
    const id = entry.payload.taskIdentifier;
    const left = (this.pendingPerTask.get(id) ?? 1) - 1;
    if (left > 0) this.pendingPerTask.set(id, left);
    else this.pendingPerTask.delete(id);
  }

  private pump(): void {
    if (this.stopped || this.runtime.stopped || this.current !== null || this.retryAt !== null) return;
    if (this.committing.size >= maxRemovalsInFlight) return;
    if (this.listener === undefined && this.channel === null) return;
    const entry = this.pending[0];
    if (entry === undefined) return;
    this.current = entry;
    void this.deliver(entry);
  }

  private async deliver(entry: OutboxEntry): Promise<void> {
    // The iterator this delivery is for: one that ended while the event was being prepared gave the
    // entry back (`detach`), and the next iterator's own delivery of it is under way.
    const channel = this.channel;
    let event: DurableEvent;
    try {
      event = await this.toEvent(entry);
    } catch (error) {
      return this.current === entry ? this.retryLater(entry, error) : undefined;
    }
    if (this.stopped || this.runtime.stopped) return;
    if (this.listener === undefined) {
      if (this.current !== entry || this.channel !== channel) return;
      this.runtime.ports.probe?.pass('event-delivery');
      channel?.push({ ...event, ack: () => this.acknowledge(entry.eventId) }, true);
      return;
    }
    this.runtime.ports.probe?.pass('event-delivery');
    try {
      await callListener(this.listener, event);
    } catch (error) {
      return this.retryLater(entry, error);
    }
    if (this.stopped || this.runtime.stopped) return;
    await this.acknowledge(entry.eventId).catch(() => undefined);
  }

  private retryLater(entry: OutboxEntry, error: unknown): void {
    if (this.stopped || this.runtime.stopped) return;
    this.failures += 1;
    const retryAt = this.runtime.ports.clock.now() + Math.min(retryCap, retryBase * 2 ** Math.min(this.failures - 1, 20));
    this.retryAt = retryAt;
    const payload = entry.payload;
    this.failed({
      type: 'eventDeliveryFailed',
      eventId: entry.eventId,
      eventType: payload.type,
      taskIdentifier: payload.type === 'sessionDidBecomeInvalid' ? null : payload.taskIdentifier,
      error,
      failures: this.failures,
      retryAt,
    });
    this.runtime.requestSchedule();
  }

  private async toEvent(entry: OutboxEntry): Promise<DurableEvent> {
    const payload = entry.payload;
    if (payload.type === 'sessionDidBecomeInvalid') {
      return { type: 'sessionDidBecomeInvalid', eventId: entry.eventId, error: payload.error === null ? null : fromPersistedError(payload.error) };
    }
    const task = this.info(payload.taskIdentifier);
    if (payload.type === 'downloadDidFinish') {
      return { type: 'downloadDidFinish', eventId: entry.eventId, task, location: payload.location, inStore: payload.inStore };
    }
    let response = null;
    let error = payload.error === null ? null : taskError(payload.error, this.runtime.records.get(payload.taskIdentifier));
    if (payload.response !== null) {
      const body = await readAll(this.runtime, payload.response.bodyKey, payload.response.bodyLength).catch(() => null);
      if (body !== null && body.byteLength === payload.response.bodyLength) {
        response = { status: payload.response.status, headers: payload.response.headers, body };
      } else {
        // The body did not survive (a power loss, an OPFS writer that died): the app learns the task
        // ended and that its response is lost, instead of this entry blocking every later one.
        error = new BgSessionError('CorruptRecord', 'The response body was lost from the store.', { path: payload.response.bodyKey, taskIdentifier: payload.taskIdentifier });
      }
    }
    return { type: 'taskDidComplete', eventId: entry.eventId, task, error, response };
  }

  private info(taskIdentifier: number): TaskInfo {
    const record: TaskRecord | undefined = this.runtime.records.get(taskIdentifier);
    if (record !== undefined) return taskInfo(record);
    // The record was quarantined; the event still reaches the app with what the entry knows.
    const request = { url: '', method: 'GET', headers: {} };
    return {
      taskIdentifier, taskKey: null, taskDescription: null, kind: 'download', state: 'completed', phase: 'failed', reason: null,
      originalRequest: request, currentRequest: request, countOfBytesSent: 0, countOfBytesExpectedToSend: 0,
      countOfBytesReceived: 0, countOfBytesExpectedToReceive: -1, error: null, credentialHeaders: [],
    };
  }
}

async function callListener(listener: SessionListener, event: DurableEvent): Promise<void> {
  switch (event.type) {
    case 'downloadDidFinish':
      return listener.downloadDidFinish?.(event);
    case 'taskDidComplete':
      return listener.taskDidComplete?.(event);
    case 'sessionDidBecomeInvalid':
      return listener.sessionDidBecomeInvalid?.(event);
  }
}

async function readAll(runtime: SessionRuntime, key: string, length: number): Promise<Uint8Array> {
  // An empty body (204, or an empty 200) never wrote its key: reading it would fail, and the event
  // would be retried forever instead of delivered.
  if (length === 0) return new Uint8Array(0);
  const bytes = new Uint8Array(length);
  let at = 0;
  for await (const chunk of runtime.ports.byteStore.read(key, 0)) {
    const take = Math.min(chunk.byteLength, length - at);
    bytes.set(chunk.subarray(0, take), at);
    at += take;
    if (at >= length) break;
  }
  return at === length ? bytes : bytes.subarray(0, at);
}
