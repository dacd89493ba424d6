import type { NetworkState } from '../ports/connectivity.js';
import { BinaryHeap } from './binary-heap.js';
import { constraintClasses, isClassAllowed, type ConstraintClass } from './constraint-class.js';
import type { SchedulerDecision, SchedulerLimits, SchedulerWaitReason } from './scheduler-types.js';

/** One task the scheduler knows: waiting for its due time, ready for a slot, or holding one. */
export interface TaskNode {
  readonly taskIdentifier: number;
  /** Insertion order: FIFO within a priority, and the age that aging counts. Kept by updates. */
  readonly seq: number;
  origin: OriginNode;
  priority: number;
  /** Smaller starts first: `seq - priority * agingWindow` (see `keyOf`). */
  key: number;
  dueAt: number | null;
  constraintClass: ConstraintClass;
  place: 'due' | 'ready' | 'running';
  /** Position in the due heap or in its lane's heap; -1 when in neither. */
  heapIndex: number;
  /** Already listed in a decision's `waiting` during this wait. */
  reported: boolean;
}

/** The ready tasks of one origin and one constraint class. */
interface Lane {
  readonly origin: OriginNode;
  readonly constraintClass: ConstraintClass;
  readonly tasks: BinaryHeap<TaskNode>;
  /** Position in its class's heap of lanes; -1 when out of it. */
  heapIndex: number;
}

/** An origin with at least one task (queued or running) that names it. */
interface OriginNode {
  readonly name: string;
  running: number;
  /** Tasks naming this origin; at 0 the node is dropped so origins do not pile up. */
  members: number;
  readonly lanes: [Lane | undefined, Lane | undefined, Lane | undefined, Lane | undefined];
}

const taskBefore = (a: TaskNode, b: TaskNode): boolean => a.key < b.key || (a.key === b.key && a.seq < b.seq);
const dueBefore = (a: TaskNode, b: TaskNode): boolean =>
  (a.dueAt as number) < (b.dueAt as number) || (a.dueAt === b.dueAt && a.seq < b.seq);
// Only non-empty lanes are ever in a class heap, so their heads exist.
const laneBefore = (a: Lane, b: Lane): boolean => taskBefore(a.tasks.peek() as TaskNode, b.tasks.peek() as TaskNode);
const setTaskIndex = (task: TaskNode, index: number): void => {
  task.heapIndex = index;
};
const setLaneIndex = (lane: Lane, index: number): void => {
  lane.heapIndex = index;
};

/**
 * The mutable engine behind `SchedulerState`.
 *
 * The indexes are kept so a decision touches only what it starts:
 * - tasks whose `dueAt` is set sit in one due heap until a decision at or after that instant moves
 *   them to ready (lazily: `addTask` has no clock);
 * - ready tasks sit in a heap per (origin, constraint class) lane, ordered by key;
 * - each constraint class has a heap of lanes ordered by their head, holding exactly the non-empty
 *   lanes whose origin is below `maxConnectionsPerHost`, so a full origin costs nothing to skip;
 * - ready tasks not yet reported as waiting sit in a set per class, drained when the network
 *   rules the class out, so a long offline spell lists each task once and then costs nothing.
 */
export class SchedulerCore {
  limits: SchedulerLimits;
  readonly agingWindow: number;
  running = 0;
  readonly tasks = new Map<number, TaskNode>();
  readonly #origins = new Map<string, OriginNode>();
  readonly #due = new BinaryHeap<TaskNode>(dueBefore, setTaskIndex);
  readonly #lanesByClass = constraintClasses.map(() => new BinaryHeap<Lane>(laneBefore, setLaneIndex));
  readonly #unreported = constraintClasses.map(() => new Set<TaskNode>());
  /** Ready tasks reported as waiting, per class, and the reason they were last reported with. */
  readonly #reported = constraintClasses.map(() => new Set<TaskNode>());
  readonly #reportedReason: Array<SchedulerWaitReason | null> = constraintClasses.map(() => null);
  #nextSeq = 0;

  constructor(limits: SchedulerLimits, agingWindow: number) {
    this.limits = limits;
    this.agingWindow = agingWindow;
  }

  nextSeq(): number {
    return this.#nextSeq++;
  }

  /**
   * The order key. With aging, a later task of priority `q` passes an earlier one of priority
   * `p` only while `seqLater - seqEarlier < (q - p) * agingWindow`: the bound of invariant #16.
   * Without aging (`Infinity`) the key is the priority alone and ties fall back to `seq`.
   */
  keyOf(seq: number, priority: number): number {
    return this.agingWindow === Infinity ? -priority : seq - priority * this.agingWindow;
  }

  /** Counts one more task naming `name`, creating its node if needed. */
  acquireOrigin(name: string): OriginNode {
    let origin = this.#origins.get(name);
    if (origin === undefined) {
      origin = { name, running: 0, members: 0, lanes: [undefined, undefined, undefined, undefined] };
      this.#origins.set(name, origin);
    }
    origin.members += 1;
    return origin;
  }

  releaseOrigin(origin: OriginNode): void {
    origin.members -= 1;
    if (origin.members === 0) this.#origins.delete(origin.name);
  }

  /** Puts a task that is in no index into the due heap or its lane. */
  place(task: TaskNode): void {
    if (task.dueAt === null) {
      this.#makeReady(task);
    } else {
      task.place = 'due';
      this.#due.push(task);
    }
  }

  /** Takes a task out of whatever index holds it, freeing its slot if it runs. */
  detach(task: TaskNode): void {
    if (task.place === 'due') {
      this.#due.removeAt(task.heapIndex);
    } else if (task.place === 'ready') {
      const lane = task.origin.lanes[task.constraintClass] as Lane;
      lane.tasks.removeAt(task.heapIndex);
      this.#syncLane(lane);
      this.#unreported[task.constraintClass]?.delete(task);
      this.#reported[task.constraintClass]?.delete(task);
    } else {
      task.origin.running -= 1;
      this.running -= 1;
      this.#syncOrigin(task.origin);
    }
    task.heapIndex = -1;
  }

  /** Re-applies the per-origin limit to every lane, after the limits changed. */
  resyncAll(): void {
    for (const origin of this.#origins.values()) this.#syncOrigin(origin);
  }

  decide(now: number, network: NetworkState): SchedulerDecision {
    for (let task = this.#due.peek(); task !== undefined && (task.dueAt as number) <= now; task = this.#due.peek()) {
      this.#due.pop();
      this.#makeReady(task);
    }
    const waiting: Array<{ taskIdentifier: number; reason: SchedulerWaitReason }> = this.#drainWaiting(network);
    const start: number[] = [];
    const allowed = constraintClasses.map((constraintClass) => isClassAllowed(constraintClass, network));
    while (this.running < this.limits.maxConcurrentTasks) {
      const lane = this.#bestLane(allowed);
      if (lane === undefined) break;
      const task = lane.tasks.pop() as TaskNode;
      task.place = 'running';
      task.reported = false;
      this.#unreported[task.constraintClass]?.delete(task);
      this.#reported[task.constraintClass]?.delete(task);
      task.origin.running += 1;
      this.running += 1;
      // The origin may have reached its limit: this takes all its lanes out of the class heaps.
      this.#syncOrigin(task.origin);
      start.push(task.taskIdentifier);
    }
    this.#drainUnblocked(allowed, waiting);
    const next = this.#due.peek();
    return { start, nextWakeAt: next === undefined ? null : next.dueAt, waiting };
  }

  #bestLane(allowed: readonly boolean[]): Lane | undefined {
    let best: Lane | undefined;
    for (const constraintClass of constraintClasses) {
      if (allowed[constraintClass] !== true) continue;
      const top = this.#lanesByClass[constraintClass]?.peek();
      if (top !== undefined && (best === undefined || laneBefore(top, best))) best = top;
    }
    return best;
  }

  #drainWaiting(network: NetworkState): Array<{ taskIdentifier: number; reason: SchedulerWaitReason }> {
    const waiting: Array<{ taskIdentifier: number; reason: SchedulerWaitReason }> = [];
    const reason: SchedulerWaitReason = network.online ? 'constraints' : 'connectivity';
    for (const constraintClass of constraintClasses) {
      const unreported = this.#unreported[constraintClass];
      const reported = this.#reported[constraintClass];
      if (unreported === undefined || reported === undefined || isClassAllowed(constraintClass, network)) continue;
      // The reason changed (offline, then online but metered): the tasks told before hear the new one.
      if (this.#reportedReason[constraintClass] !== reason) {
        for (const task of reported) waiting.push({ taskIdentifier: task.taskIdentifier, reason });
        this.#reportedReason[constraintClass] = reason;
      }
      if (unreported.size === 0) continue;
      for (const task of unreported) {
        task.reported = true;
        reported.add(task);
        waiting.push({ taskIdentifier: task.taskIdentifier, reason });
      }
      unreported.clear();
    }
    return waiting;
  }

  /**
   * Tasks told they were blocked whose class the network now allows, and which did not start: told
   * once that they wait for a slot, and unreported again, so a later block is reported as a new wait.
   */
  #drainUnblocked(allowed: readonly boolean[], waiting: Array<{ taskIdentifier: number; reason: SchedulerWaitReason }>): void {
    for (const constraintClass of constraintClasses) {
      const reported = this.#reported[constraintClass];
      const unreported = this.#unreported[constraintClass];
      if (allowed[constraintClass] !== true || reported === undefined || unreported === undefined) continue;
      this.#reportedReason[constraintClass] = null;
      if (reported.size === 0) continue;
      for (const task of reported) {
        task.reported = false;
        unreported.add(task);
        waiting.push({ taskIdentifier: task.taskIdentifier, reason: 'slot' });
      }
      reported.clear();
    }
  }

  #makeReady(task: TaskNode): void {
    const origin = task.origin;
    let lane = origin.lanes[task.constraintClass];
    if (lane === undefined) {
      lane = { origin, constraintClass: task.constraintClass, tasks: new BinaryHeap(taskBefore, setTaskIndex), heapIndex: -1 };
      origin.lanes[task.constraintClass] = lane;
    }
    task.place = 'ready';
    lane.tasks.push(task);
    this.#syncLane(lane);
    if (!task.reported) this.#unreported[task.constraintClass]?.add(task);
  }

  #syncOrigin(origin: OriginNode): void {
    for (const lane of origin.lanes) if (lane !== undefined) this.#syncLane(lane);
  }

  /**
   * Keeps the class heap exact: a lane is in it iff it has a ready task and its origin is below
   * the limit, at the position of its current head. Called after every change to a lane's head
   * or its origin's running count; each call is O(log lanes).
   */
  #syncLane(lane: Lane): void {
    const heap = this.#lanesByClass[lane.constraintClass] as BinaryHeap<Lane>;
    const wanted = lane.tasks.size > 0 && lane.origin.running < this.limits.maxConnectionsPerHost;
    if (lane.heapIndex >= 0) {
      if (wanted) heap.updateAt(lane.heapIndex);
      else heap.removeAt(lane.heapIndex);
    } else if (wanted) {
      heap.push(lane);
    }
  }
}
