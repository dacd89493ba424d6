import { constraintClassOf, isClassAllowed } from '../scheduler/constraint-class.js';
import { addTask, decide, releaseTask, removeTask } from '../scheduler/scheduler.js';
import type { SchedulerState } from '../scheduler/scheduler-types.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import type { NetworkState } from '../ports/connectivity.js';
import { originOf } from './origin-of.js';
import type { SessionRuntime } from './session-runtime.js';

const noop = (): void => undefined;

/**
 * The runtime's side of the scheduler: which tasks wait for a slot, which hold one and under which
 * grant, and what the network allows. A grant is honoured only while it is the task's current
 * one, so a stale `slotGranted` (queued behind a suspend and a resume) never starts an attempt the
 * scheduler does not count (#14).
 */
export class TaskQueue {
  private readonly slots = new Map<number, number>();
  private grants = 0;
  private network: NetworkState;

  constructor(
    private readonly runtime: SessionRuntime,
    private scheduler: SchedulerState,
  ) {
    this.network = runtime.ports.connectivity.current();
  }

  /** Whether the network meets a task's constraints (also those of the current configuration). */
  constraintsMet(record: TaskRecord, network: NetworkState = this.network): boolean {
    return isClassAllowed(constraintClassOf(this.constraintsOf(record)), network);
  }

  /** The grant under which a task holds its slot now, if it holds one. */
  grantOf(taskIdentifier: number): number | undefined {
    return this.slots.get(taskIdentifier);
  }

  /** The task wants a slot (again); one whose old attempt is still being torn down gives its slot back now. */
  enqueue(record: TaskRecord): void {
    if (this.slots.delete(record.taskIdentifier)) this.scheduler = releaseTask(this.scheduler, record.taskIdentifier);
    this.scheduler = addTask(this.scheduler, {
      taskIdentifier: record.taskIdentifier,
      origin: originOf(record.currentRequest.url),
      priority: record.options.priority,
      dueAt: record.dueAt,
      ...this.constraintsOf(record),
    });
    this.runtime.requestSchedule();
  }

  dequeue(taskIdentifier: number): void {
    this.scheduler = removeTask(this.scheduler, taskIdentifier);
    if (this.slots.delete(taskIdentifier)) this.runtime.requestSchedule();
  }

  /** The attempt of a task ended: its slot is free for another (only if it still holds that grant). */
  releaseSlot(taskIdentifier: number, grant: number | undefined): void {
    if (grant === undefined || this.slots.get(taskIdentifier) !== grant) return;
    this.slots.delete(taskIdentifier);
    this.scheduler = releaseTask(this.scheduler, taskIdentifier);
    this.runtime.requestSchedule();
  }

  /**
   * The network as an attempt just found it, when the port has not announced it yet (a port whose
   * events lag behind `current()`, as a browser's may): the scheduler decides with it from now on,
   * or it would grant the refused task its slot straight back, again and again, with no time passing.
   * The port's event, when it comes, is handled by {@link TaskQueue.networkChanged} as usual.
   */
  noteNetwork(network: NetworkState): void {
    this.network = network;
  }

  /** The network changed: attempts it no longer allows stop; waiting tasks may start. */
  networkChanged(network: NetworkState): void {
    this.network = network;
    for (const id of this.slots.keys()) {
      const record = this.runtime.records.get(id);
      if (record !== undefined && !this.constraintsMet(record, network)) {
        // Stopped now, not once the step below is committed: meanwhile the attempt could still
        // write its request on a network that no longer allows it (#15).
        // A recorded non-idempotent request is never torn down by a network change (ADR 6).
        if (!(record.attempts.startRecorded && !record.options.idempotent)) this.runtime.hooks?.abortAttempt(id);
        this.runtime.post(id, { type: 'constraintsChanged', satisfied: false, reason: network.online ? 'constraints' : 'connectivity', now: this.runtime.ports.clock.now() });
      }
    }
    this.runtime.requestSchedule();
  }

  /**
   * Grants the slots the scheduler frees now and tells waiting tasks why they wait. Returns the
   * next instant a queued task becomes due, or null.
   */
  grantDue(now: number): number | null {
    const { runtime } = this;
    const decision = decide(this.scheduler, now, this.network);
    for (const id of decision.start) {
      const grant = ++this.grants;
      this.slots.set(id, grant);
      const record = runtime.records.get(id);
      const event: TaskEvent = record !== undefined && !runtime.credentialsReady(record) ? { type: 'credentialsMissing', now } : { type: 'slotGranted', now };
      runtime.dispatch(id, event, () => this.slots.get(id) === grant).then((result) => {
        if (result === null || !result.accepted || event.type === 'credentialsMissing') this.releaseSlot(id, grant);
      }, noop);
    }
    for (const { taskIdentifier, reason } of decision.waiting) {
      runtime.post(taskIdentifier, reason === 'slot' ? { type: 'constraintsChanged', satisfied: true, now } : { type: 'constraintsChanged', satisfied: false, reason, now });
    }
    return decision.nextWakeAt;
  }

  private constraintsOf(record: TaskRecord) {
    const config = this.runtime.configuration;
    return {
      allowsExpensiveNetwork: record.options.allowsExpensiveNetwork && config.allowsExpensiveNetwork,
      allowsConstrainedNetwork: record.options.allowsConstrainedNetwork && config.allowsConstrainedNetwork,
      discretionary: record.options.discretionary || config.discretionary,
    };
  }
}
