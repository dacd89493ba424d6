import { BgSessionError } from '../errors/bg-session-error.js';
import { isTerminalPhase } from '../machines/public-state.js';
import type { TaskEvent } from '../model/task-events.js';
import { checkSignal, waitFor } from './abort-signal.js';
import { buildResumeData } from './resume-data-builder.js';
import type { SessionRuntime } from './session-runtime.js';
import type { ControlResult, Task, TaskInfo, TaskOutcome } from './session-types.js';
import { taskInfo } from './task-info.js';

/**
 * A live handle on one task. Its methods send events to the task machine through the runtime and
 * resolve once the change is committed.
 */
export class TaskHandle implements Task {
  /**
   * The last snapshot, kept once the task's events were acknowledged and its record left the store,
   * so `info()` and `outcome()` still answer. A handle holds nothing else: 100,000 queued tasks
   * cost their records, not their handles (B6).
   */
  private retired: TaskInfo | null = null;

  constructor(
    private readonly runtime: SessionRuntime,
    readonly taskIdentifier: number,
  ) {}

  /** Called when the record leaves the store after the last acknowledgement. */
  retire(info: TaskInfo): void {
    this.retired = info;
  }

  info(): TaskInfo {
    const record = this.runtime.records.get(this.taskIdentifier);
    if (record !== undefined) {
      const info = taskInfo(record);
      // The record's counts move with checkpoints (every 4 MiB or 2 s); the attempt's are live.
      const live = isTerminalPhase(record.phase) ? undefined : this.runtime.hooks?.liveProgress(this.taskIdentifier);
      return live === undefined ? info : { ...info, ...live };
    }
    if (this.retired !== null) return this.retired;
    throw new BgSessionError('InvalidArgument', `task ${this.taskIdentifier} is not in this session`, { field: 'taskIdentifier', taskIdentifier: this.taskIdentifier });
  }

  resume(): Promise<ControlResult> {
    return this.control({ type: 'resume', now: this.runtime.ports.clock.now() });
  }

  suspend(): Promise<ControlResult> {
    return this.control({ type: 'suspend', now: this.runtime.ports.clock.now() });
  }

  cancel(): Promise<ControlResult> {
    return this.control({ type: 'cancel', now: this.runtime.ports.clock.now() });
  }

  async cancelProducingResumeData(): Promise<string | null> {
    this.runtime.assertUsable();
    const record = this.runtime.records.get(this.taskIdentifier);
    if (record === undefined) return null;
    const now = this.runtime.ports.clock.now();
    // Made when the event's turn comes: an event queued before it (a restart's first response) may
    // change what the part holds.
    const made: { resumeData: string | null } = { resumeData: null };
    const result = await this.runtime.control(this.taskIdentifier, (current) => {
      made.resumeData = buildResumeData(this.runtime, current, now);
      return { type: 'cancelProducingResumeData', resumeData: made.resumeData, now };
    });
    // Never run: the host stopped before its turn rejects (below), an unknown task is a no-op.
    if (result === null) this.runtime.assertUsable();
    if (result?.accepted !== true) return null;
    // A running download is `canceling` until its attempt is torn down; its bytes become resume
    // data's only at the end commit, so the caller gets the value once `download(resumeData)` can use
    // it. A null waits too: the task has ended when the call resolves, whatever it returns. A host
    // that stopped meanwhile still returns it: the committed `canceling` record carries it, and the
    // next open ends the task with it.
    if (!isTerminalPhase(result.record.phase)) await this.ended();
    return made.resumeData;
  }

  /** Resolves when the task's end is committed, or when this host stops first. */
  private ended(): Promise<void> {
    return new Promise((resolve) => {
      let unsubscribeStop = (): void => undefined;
      const unsubscribeOutcome = this.runtime.waitForOutcome(this.taskIdentifier, () => {
        unsubscribeStop();
        resolve();
      });
      unsubscribeStop = this.runtime.whenStopped(() => {
        unsubscribeOutcome();
        resolve();
      });
    });
  }

  outcome(signal?: AbortSignal): Promise<TaskOutcome> {
    let checked: AbortSignal | undefined;
    try {
      checked = checkSignal(signal, 'outcome');
    } catch (error) {
      return Promise.reject(error);
    }
    const record = this.runtime.records.get(this.taskIdentifier);
    const known = record !== undefined ? taskInfo(record) : this.retired;
    if (known !== null && known.state === 'completed') {
      return Promise.resolve({ task: known, phase: known.phase as TaskOutcome['phase'], error: known.error });
    }
    // A host that stops first (closed, or its store failed) rejects: the task goes on at the next open.
    return waitFor<TaskOutcome>(
      'outcome',
      checked,
      (resolve) => this.runtime.waitForOutcome(this.taskIdentifier, resolve),
      (listener) => this.runtime.whenStopped(listener),
      () => this.runtime.stoppedError(),
    );
  }

  private async control(event: TaskEvent): Promise<ControlResult> {
    this.runtime.assertUsable();
    const result = await this.runtime.control(this.taskIdentifier, event);
    // A step that never ran because the host stopped first rejects, as a call after close() does:
    // "no change" would be a claim about a task this host no longer runs. One whose commit landed
    // while the host stopped says what it did: the next open finds the task so.
    if (result === null) this.runtime.assertUsable();
    return { changed: result?.accepted === true, phase: this.info().phase };
  }
}
