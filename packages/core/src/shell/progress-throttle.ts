import type { TaskRecord } from '../model/task-types.js';
import type { Clock } from '../ports/clock.js';
import { taskInfo } from './task-info.js';
import type { TransientEvent } from './session-types.js';

/** The byte counts of an attempt in flight, ahead of its record (which moves with checkpoints). */
export interface LiveProgress {
  readonly countOfBytesReceived?: number;
  readonly countOfBytesExpectedToReceive?: number;
  readonly countOfBytesSent?: number;
}

/** Updated in place for every chunk: one object per attempt, not one per chunk. */
type MutableProgress = { -readonly [K in keyof LiveProgress]: LiveProgress[K] };

/**
 * Throttles progress events to one per `progressInterval` per task and direction, plus one at the
 * end. Progress is best effort and never persisted (semantics section 2). It also keeps the
 * latest counts of each attempt in flight, so `task.info()` reads them at any time.
 */
export class ProgressThrottle {
  private readonly live = new Map<number, MutableProgress>();
  private readonly lastAt = new Map<string, number>();
  private readonly pending = new Map<number, number>();
  /** The total of the last `taskDidSendBodyData` per task, so `bytesSent` is the increment since it. */
  private readonly reportedSent = new Map<number, number>();

  constructor(
    private readonly clock: Pick<Clock, 'monotonic'>,
    private readonly emit: (event: TransientEvent, record: TaskRecord) => void,
    private readonly interval: () => number,
  ) {}

  received(record: TaskRecord, bytes: number, total: number, expected: number | null): void {
    const id = record.taskIdentifier;
    const live = this.liveOf(id);
    live.countOfBytesReceived = total;
    live.countOfBytesExpectedToReceive = expected ?? -1;
    const batched = (this.pending.get(id) ?? 0) + bytes;
    if (!this.due(`r${id}`)) {
      this.pending.set(id, batched);
      return;
    }
    this.pending.delete(id);
    this.emitReceived(record, batched, total, expected);
  }

  /** The last progress event of a body, whatever the throttle says. */
  flush(record: TaskRecord, total: number, expected: number | null): void {
    const id = record.taskIdentifier;
    const batched = this.pending.get(id) ?? 0;
    this.pending.delete(id);
    this.lastAt.delete(`r${id}`);
    if (batched > 0) this.emitReceived(record, batched, total, expected);
  }

  /** A new attempt of a task starts: its body is sent from byte 0 again. */
  attemptStarted(taskIdentifier: number): void {
    this.reportedSent.delete(taskIdentifier);
    this.pending.delete(taskIdentifier);
    this.live.delete(taskIdentifier);
  }

  /** An attempt ended: its record now holds the counts that matter. */
  attemptEnded(taskIdentifier: number): void {
    this.live.delete(taskIdentifier);
  }

  /** The counts of the task's attempt in flight, if it moved any byte (a copy: they change). */
  liveProgress(taskIdentifier: number): LiveProgress | undefined {
    const live = this.live.get(taskIdentifier);
    return live === undefined ? undefined : { ...live };
  }

  private liveOf(taskIdentifier: number): MutableProgress {
    let live = this.live.get(taskIdentifier);
    if (live === undefined) {
      live = {};
      this.live.set(taskIdentifier, live);
    }
    return live;
  }

  sent(record: TaskRecord, totalSent: number): void {
    const id = record.taskIdentifier;
    this.liveOf(id).countOfBytesSent = totalSent;
    const expected = record.body?.size ?? 0;
    if (totalSent < expected && !this.due(`s${id}`)) return;
    // A new attempt sends the body from byte 0 again: the count starts over with it.
    const previous = this.reportedSent.get(id) ?? 0;
    const since = totalSent >= previous ? previous : 0;
    if (totalSent >= expected) this.reportedSent.delete(id);
    else this.reportedSent.set(id, totalSent);
    const info = { ...taskInfo(record), countOfBytesSent: totalSent };
    this.emit({ type: 'taskDidSendBodyData', task: info, bytesSent: totalSent - since, totalBytesSent: totalSent, totalBytesExpectedToSend: expected }, record);
  }

  private emitReceived(record: TaskRecord, bytes: number, total: number, expected: number | null): void {
    const info = { ...taskInfo(record), countOfBytesReceived: total, countOfBytesExpectedToReceive: expected ?? -1 };
    this.emit({ type: 'taskDidWriteData', task: info, bytesWritten: bytes, totalBytesWritten: total, totalBytesExpectedToWrite: expected ?? -1 }, record);
  }

  private due(key: string): boolean {
    const now = this.clock.monotonic();
    const last = this.lastAt.get(key);
    if (last !== undefined && now - last < this.interval()) return false;
    this.lastAt.set(key, now);
    return true;
  }
}
