import { BgSessionError } from '../errors/bg-session-error.js';
import type { SchedulerState } from '../scheduler/scheduler-types.js';
import { isTerminalPhase } from '../machines/public-state.js';
import type { TaskStepResult } from '../machines/task-step-result.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { HeaderMap } from '../model/http.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { ResumeDataReference } from '../model/resume-data.js';
import type { StoreHeader } from '../model/store-header.js';
import { createTaskRecordEncoder } from '../codecs/task-record-codec.js';
import type { TaskEffect } from '../model/task-effects.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import type { StoreOperation, StoreProblem } from '../ports/store.js';
import { DeadlineQueue } from './deadline-queue.js';
import { encodeHeaderRecord } from './persistence.js';
import type { HostOptions, SessionPorts, TaskOutcome } from './session-types.js';
import { taskInfo } from './task-info.js';
import { WakeTimer } from './wake-timer.js';
import { TaskQueue } from './task-queue.js';
import { earliest } from './earliest.js';
import { stepBatch } from './step-batch.js';
import { credentialsReady, type CredentialsLater } from './credentials-ready.js';
import { originOf } from './origin-of.js';
import { buildResumeData } from './resume-data-builder.js';
import type { LiveProgress } from './progress-throttle.js';
import { StoredRecords } from './stored-records.js';
import { fastStep } from './fast-step.js';
import { HeaderReservation } from './header-reservation.js';

/** What the runtime hands to the parts that run beside it (pump, delivery, handles). */
export interface RuntimeHooks {
  /** Starts the attempt the task's current slot grant allows. */
  startAttempt(record: TaskRecord, grant: number | undefined): void;
  /** Aborts every attempt in flight (the host stops). */
  abortAll(): void;
  handOver(record: TaskRecord): void;
  abortAttempt(taskIdentifier: number): void;
  emitTransient(effect: Extract<TaskEffect, { type: 'emit' }>, record: TaskRecord): void;
  deliver(entries: readonly OutboxEntry[]): void;
  nextWake(): number | null;
  /** A task's record left the store after its last acknowledgement. */
  forgotten(record: TaskRecord): void;
  onWake(now: number): void;
  /** The byte counts of a task's attempt in flight, ahead of its record. */
  liveProgress(taskIdentifier: number): LiveProgress | undefined;
}

const noop = (): void => undefined;

/**
 * The session runtime: the one place that sends events to task machines, commits their records
 * (durably before anything they cause becomes visible), and runs the effects they ask for.
 * Events for one task are processed one at a time, in order.
 */
export class SessionRuntime {
  readonly records = new Map<number, TaskRecord>();
  /** Sensitive headers kept only in memory (not persisted unless the app opted in). */
  readonly secrets = new Map<number, HeaderMap>();
  /**
   * The credentials a download that ended with resume data was sent with, by the key of the bytes
   * the resume data owns: a task made from it in this process is sent with them again. Memory only,
   * as every secret; gone with the resume data's bytes (used, discarded or expired). With the origin
   * they were sent to: resume data is readable and editable text, and they go nowhere else.
   */
  readonly resumeSecrets = new Map<string, { readonly origin: string; readonly headers: HeaderMap }>();
  readonly resumeReferences = new Map<string, ResumeDataReference>();
  readonly deadlines = new DeadlineQueue();
  readonly problems: StoreProblem[] = [];
  /** Encodes this session's task records, remembering the parts that steps leave unchanged. */
  readonly encodeRecord = createTaskRecordEncoder();
  header: StoreHeader;
  failure: BgSessionError | null = null;
  stopped = false;
  hooks: RuntimeHooks | null = null;
  /** What the stored header counts: nothing in the store uses more (ADR 28). */
  private readonly reserved: HeaderReservation;
  /**
   * The stored tasks still joining after an open (`relaunchStore`), or null once every one has
   * joined: the open resolves before they have, so the backlog's events are not held behind
   * 100,000 queued tasks (B5). `loadRest` decodes the rest at once, for `tasks()`.
   */
  loading: { readonly finished: Promise<void>; readonly loadRest: () => void } | null = null;
  /** Calls waiting in `afterLoad`: a call made once loading ended still goes after them. */
  private waitingForLoad = 0;

  /** Which tasks wait for a slot and which hold one. */
  readonly queue: TaskQueue;
  private readonly queues = new Map<number, Promise<unknown>>();
  private readonly stored = new StoredRecords();
  private readonly outcomeWaiters = new Map<number, Array<(outcome: TaskOutcome) => void>>();
  private readonly stopListeners = new Set<() => void>();
  private readonly wake: WakeTimer;
  private schedulePending = false;

  constructor(
    readonly ports: SessionPorts,
    readonly hostOptions: HostOptions,
    header: StoreHeader,
    scheduler: SchedulerState,
  ) {
    this.header = header;
    this.reserved = new HeaderReservation(header);
    this.queue = new TaskQueue(this, scheduler);
    this.wake = new WakeTimer(ports.clock, () => this.requestSchedule());
  }

  get configuration(): SessionConfiguration {
    return this.header.configuration;
  }

  /** The durability of a step's commit that ends no task: strict, or relaxed in relaxed mode. */
  get lazyDurability(): 'strict' | 'relaxed' {
    return this.hostOptions.durability === 'relaxed' ? 'relaxed' : 'strict';
  }

  /**
   * Runs `call` once every stored task has joined, at once when they have: a call that looks tasks
   * up, creates one or changes one must not meet a task still as stored (not relaunched yet) or
   * miss one not decoded yet. Calls keep their order: one made after loading ended waits behind
   * those still waiting for it.
   */
  async afterLoad<T>(call: () => T | Promise<T>): Promise<T> {
    if (this.loading === null && this.waitingForLoad === 0) return call();
    this.waitingForLoad += 1;
    try {
      await this.loading?.finished;
      // `call` starts before the count goes down, so a later call cannot overtake its first step.
      return call();
    } finally {
      this.waitingForLoad -= 1;
    }
  }

  /** Rejects every call once the store failed or the host stopped. */
  assertUsable(): void {
    if (this.failure !== null || this.stopped) throw this.stoppedError();
  }

  /** Why this host no longer acts: its store failed, or it was closed. */
  stoppedError(): BgSessionError {
    // Not StoreFailed: nothing failed, and an app that sees a disk error looks at its disk.
    return this.failure ?? new BgSessionError('SessionClosed', 'This session was closed; open it again to go on (its tasks are kept).');
  }

  /**
   * Sends `event` to a task after the events already queued for it. Resolves with what it did, or
   * null when the task is unknown or the host stopped (before the step, or while it committed).
   * `precondition`, checked when the event's turn comes, refuses it (`accepted: false`) when the
   * task moved on meanwhile: an attempt's late events never reach the task's next attempt. An event
   * given as a function is made from the record as it is when its turn comes (resume data must
   * describe what the part holds then, not what it held when the event was queued).
   */
  dispatch(taskIdentifier: number, event: TaskEvent | ((record: TaskRecord) => TaskEvent), precondition?: (record: TaskRecord) => boolean): Promise<TaskStepResult | null> {
    return this.queued(taskIdentifier, () => this.apply(taskIdentifier, event, precondition, false));
  }

  /**
   * `dispatch` for the app's controls (suspend, cancel...), which must say what they did: a step
   * whose commit landed while the host stopped resolves with its result, since the next open sees
   * its record, though none of its effects run. Null still means nothing was done: the task is
   * unknown, or the host stopped before the event's turn (a caller tells them apart by `stopped`).
   */
  control(taskIdentifier: number, event: TaskEvent | ((record: TaskRecord) => TaskEvent)): Promise<TaskStepResult | null> {
    // A task listed before it was relaunched is still as stored: the control waits for its relaunch.
    return this.afterLoad(() => this.queued(taskIdentifier, () => this.apply(taskIdentifier, event, undefined, true)));
  }

  private queued(taskIdentifier: number, step: () => Promise<TaskStepResult | null>): Promise<TaskStepResult | null> {
    const previous = this.queues.get(taskIdentifier) ?? Promise.resolve();
    const run = previous.then(step);
    const settled = run.then(noop, noop);
    this.queues.set(taskIdentifier, settled);
    void settled.then(() => {
      if (this.queues.get(taskIdentifier) === settled) this.queues.delete(taskIdentifier);
    });
    return run;
  }

  /** `dispatch` for callers that do not wait: a failure is already the session's failed state. */
  post(taskIdentifier: number, event: TaskEvent | ((record: TaskRecord) => TaskEvent), then?: (result: TaskStepResult | null) => void): void {
    this.dispatch(taskIdentifier, event).then(then ?? noop, noop);
  }

  /**
   * Commits `operations`; with the header when `withHeader` (its lifecycle or configuration
   * changed) or when an identifier or sequence number in use has passed what the stored header
   * reserves. A failure puts the session in the failed state.
   */
  async commit(operations: StoreOperation[], durability: 'strict' | 'relaxed', withHeader: boolean): Promise<void> {
    this.assertUsable();
    const header = this.reserved.headerFor(this.header, withHeader);
    try {
      await this.ports.store.commit(header === null ? { operations, durability } : { header: encodeHeaderRecord(header), operations, durability });
    } catch (error) {
      this.fail(error);
      throw this.failure;
    }
  }

  /** Enters the failed-store state: every call rejects with `StoreFailed` until the session is reopened. */
  fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure =
      error instanceof BgSessionError && error.code === 'StoreFailed'
        ? error
        : new BgSessionError('StoreFailed', 'The store could not write; reopen the session.', { cause: error });
    this.stop();
  }

  /** Stops every activity of this host without writing anything. */
  stop(): void {
    this.stopped = true;
    this.wake.stop();
    this.hooks?.abortAll();
    const listeners = [...this.stopListeners];
    this.stopListeners.clear();
    for (const listener of listeners) listener();
  }

  /** Calls `listener` once when this host stops (at once if it has); returns an unsubscribe. */
  whenStopped(listener: () => void): () => void {
    if (this.stopped) {
      listener();
      return noop;
    }
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Adds a task that was just created or loaded. */
  track(record: TaskRecord): void {
    this.records.set(record.taskIdentifier, record);
    if (!isTerminalPhase(record.phase)) {
      this.deadlines.set(record.taskIdentifier, record.createdAt + record.options.timeoutForResource);
      // The wake timer must know the new deadline even if nothing else schedules (#11).
      this.requestSchedule();
    }
  }

  /** Adds a task whose record was just committed, and runs the effects of the step that made it. */
  async adopt(record: TaskRecord, effects: readonly TaskEffect[]): Promise<void> {
    this.track(record);
    await this.runEffects(record, effects, []);
  }

  /** Whether the sensitive headers a task needs are at hand (see `credentials-ready.ts`). */
  credentialsReady(record: TaskRecord): boolean {
    return credentialsReady(record, this.secrets, this.hostOptions.credentials, this.credentialsLater);
  }

  /** A `credentials` callback's promises not settled yet, and what to do when one gives headers. */
  private readonly credentialsLater: CredentialsLater = {
    pending: new Set(),
    live: (id) => !this.stopped && this.records.has(id),
    // Sent whatever the task's phase looks like now: its `credentialsMissing` was dispatched before
    // the promise could settle, so this one is applied after it; elsewhere the machine ignores it.
    supplied: (id) => {
      if (!this.stopped && this.records.has(id)) void this.dispatch(id, { type: 'credentialsSupplied', now: this.ports.clock.now() }).catch(() => undefined);
    },
  };

  /** Resolves with the task's outcome once its end is committed. */
  waitForOutcome(taskIdentifier: number, resolve: (outcome: TaskOutcome) => void): () => void {
    const waiters = this.outcomeWaiters.get(taskIdentifier) ?? [];
    waiters.push(resolve);
    this.outcomeWaiters.set(taskIdentifier, waiters);
    return () => {
      const list = this.outcomeWaiters.get(taskIdentifier);
      if (list !== undefined) this.outcomeWaiters.set(taskIdentifier, list.filter((w) => w !== resolve));
    };
  }

  private async apply(
    taskIdentifier: number,
    given: TaskEvent | ((record: TaskRecord) => TaskEvent),
    precondition: ((record: TaskRecord) => boolean) | undefined,
    landedCounts: boolean,
  ): Promise<TaskStepResult | null> {
    if (this.stopped) return null;
    const record = this.records.get(taskIdentifier);
    if (record === undefined) return null;
    if (precondition !== undefined && !precondition(record)) return { record, effects: [], durability: 'none', accepted: false };
    const event = typeof given === 'function' ? given(record) : given;
    const result = fastStep(record, event, { retry: this.configuration.retry });
    if (!result.accepted || result.durability === 'none') return result;
    let entries: OutboxEntry[] = [];
    // A lazy step that brings the record back to what the store holds has nothing to write (a
    // relaunched task told again that it waits for connectivity, B5); the stored record stays.
    const stored = result.durability === 'lazy' || result.durability === 'deferred' ? this.stored.holding(record, result) : undefined;
    if (stored !== undefined) {
      this.stored.written(taskIdentifier);
    } else if (result.durability === 'deferred') {
      // The task's next commit (its response head, or the attempt's end) writes the whole record.
      this.stored.unwritten(record);
    } else {
      entries = await this.commitStep(result, result.durability === 'always');
      this.stored.written(taskIdentifier);
    }
    const next = stored ?? result.record;
    this.records.set(taskIdentifier, next);
    // Stopped while the commit ran: the change is in the store (the record above is what the next
    // open loads), but a stopped host starts, aborts and delivers nothing. Only a control says it
    // was made; the attempt's own events stop there, as before.
    if (this.stopped) return landedCounts ? result : null;
    await this.runEffects(next, result.effects, entries);
    return result;
  }

  /**
   * Adds a task found in the store and runs the effects of its relaunch step, committed already
   * unless its durability is `none`: the store then keeps `stored`, which yields the same step again.
   */
  async relaunched(stored: TaskRecord, result: TaskStepResult, entries: OutboxEntry[]): Promise<void> {
    const record = result.durability === 'none' ? this.stored.differs(stored, result.record) : result.record;
    this.track(record);
    await this.runEffects(record, result.effects, entries);
  }

  /** Commits a step's record with what must be atomic with it: outbox entries, resume-data references. */
  private async commitStep(result: TaskStepResult, always = false): Promise<OutboxEntry[]> {
    const batch = stepBatch(result, this.header, this.configuration, this.ports.clock.now(), () => this.ports.random.id(), this.encodeRecord);
    this.header = batch.header;
    for (const reference of batch.references) this.resumeReferences.set(reference.partKey, reference);
    // Relaxed mode keeps strict what semantics section 7 lists (task ends with their outbox
    // entries here) and what the machine says must always be (a non-idempotent attempt's start); a
    // step the machine wants durable before the attempt goes on (a checkpoint, a hand-over) is
    // written before it resolves, which a killed process cannot undo.
    await this.commit(batch.operations, batch.ends || always ? 'strict' : this.lazyDurability, false);
    return batch.entries;
  }

  private async runEffects(record: TaskRecord, effects: readonly TaskEffect[], entries: OutboxEntry[]): Promise<void> {
    const id = record.taskIdentifier;
    let deletions: string[] | null = null;
    for (const effect of effects) {
      switch (effect.type) {
        case 'enqueue':
          this.queue.enqueue(record);
          break;
        case 'dequeue':
          this.queue.dequeue(id);
          break;
        case 'startAttempt':
          this.hooks?.startAttempt(record, this.queue.grantOf(id));
          break;
        case 'abortAttempt':
          this.hooks?.abortAttempt(id);
          break;
        case 'deleteBytes':
          (deletions ??= []).push(effect.key);
          break;
        case 'handOver':
          this.hooks?.handOver(record);
          break;
        case 'emit':
          this.hooks?.emitTransient(effect, record);
          break;
        case 'end':
          this.ended(record);
          break;
        case 'produceResumeData':
          // The new reference's expiry is a wake the timer does not know yet.
          this.requestSchedule();
          break;
        case 'armTimer':
        case 'disarmTimer':
          break;
      }
    }
    // The entries reach the outbox in the continuation of their commit, before any byte store call:
    // a deletion awaited first would let a later commit's entries overtake them, and events are
    // delivered in commit order (semantics section 3).
    if (entries.length > 0) this.hooks?.deliver(entries);
    for (const key of deletions ?? []) await this.ports.byteStore.delete(key).catch(noop);
  }

  private ended(record: TaskRecord): void {
    const id = record.taskIdentifier;
    this.deadlines.delete(id);
    const secrets = this.secrets.get(id);
    if (secrets !== undefined && record.partKey !== null && record.error?.resumeData != null) {
      this.resumeSecrets.set(record.partKey, { origin: originOf(record.originalRequest.url), headers: secrets });
    }
    this.secrets.delete(id);
    const waiters = this.outcomeWaiters.get(id);
    this.outcomeWaiters.delete(id);
    if (waiters === undefined) return;
    const info = taskInfo(record);
    const outcome: TaskOutcome = { task: info, phase: record.phase as TaskOutcome['phase'], error: info.error };
    for (const resolve of waiters) resolve(outcome);
  }

  /** Runs the scheduler soon (once, however often it is asked in the same turn). */
  requestSchedule(): void {
    if (this.schedulePending || this.stopped) return;
    this.schedulePending = true;
    void Promise.resolve().then(() => {
      this.schedulePending = false;
      if (!this.stopped) this.schedule();
    });
  }

  private schedule(): void {
    const now = this.ports.clock.now();
    for (const id of this.deadlines.takeDue(now)) {
      this.post(id, (record) => ({ type: 'timerFired', timer: 'resource', now, resumeData: buildResumeData(this, record, now) }));
    }
    this.hooks?.onWake(now);
    const next = earliest([this.queue.grantDue(now), this.deadlines.peek(), this.hooks?.nextWake() ?? null]);
    if (next !== null) this.wake.wakeAt(next);
  }

  /** Commits the removal of a task whose events were all acknowledged. */
  forget(taskIdentifier: number): StoreOperation {
    const record = this.records.get(taskIdentifier);
    this.records.delete(taskIdentifier);
    this.deadlines.delete(taskIdentifier);
    this.stored.written(taskIdentifier);
    if (record !== undefined) this.hooks?.forgotten(record);
    return { type: 'delete', collection: 'tasks', key: String(taskIdentifier) };
  }
}
