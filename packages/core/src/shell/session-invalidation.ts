import { isTerminalPhase } from '../machines/public-state.js';
import type { OutboxEntry } from '../model/outbox.js';
import { checkSignal, waitFor } from './abort-signal.js';
import { encodeOutboxEntry } from '../codecs/outbox-entry-codec.js';
import type { SessionRuntime } from './session-runtime.js';
import type { Task } from './session-types.js';

/**
 * The session's end (semantics section 1): `finishTasksAndInvalidate` and `invalidateAndCancel`
 * take no new tasks, and once no task is scheduled or running the durable `sessionDidBecomeInvalid`
 * is committed, once.
 */
export class SessionInvalidation {
  private readonly waiters = new Set<() => void>();
  /** The invalidation commit in flight: every caller waits for the same one, nobody commits it twice. */
  private invalidation: Promise<void> | null = null;
  /**
   * Cancels of suspended and created tasks still being sent. Each cancel's end asks for a check
   * (the deliver hook); one that came before the others were cancelled would find the rest still
   * suspended, count them as drained, and commit sessionDidBecomeInvalid ahead of their ends.
   */
  private cancelling = 0;

  constructor(
    private readonly runtime: SessionRuntime,
    private readonly tasks: () => readonly Task[],
    private readonly deliver: (entries: readonly OutboxEntry[]) => void,
    /** Resolves once every creation called so far has its task or was refused (`TaskCreation.settled`). */
    private readonly creationsSettled: () => Promise<void> = async () => undefined,
  ) {}

  /** A `sessionDidBecomeInvalid` entry was committed. */
  committed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async finishTasksAndInvalidate(): Promise<void> {
    this.runtime.assertUsable();
    if (this.runtime.header.lifecycle !== 'active') return;
    this.runtime.header = { ...this.runtime.header, lifecycle: 'finishing' };
    await this.runtime.commit([], 'strict', true);
    await this.cancelWaiting();
  }

  /**
   * A host that died while finishing may have left suspended or created tasks uncancelled: they
   * are cancelled now, and the session becomes invalid once nothing is left to finish.
   */
  resumeFinishing(): Promise<void> {
    return this.runtime.header.lifecycle === 'finishing' ? this.cancelWaiting() : Promise.resolve();
  }

  /** Cancels the suspended and created tasks (keeping download resume data), then checks once. */
  private async cancelWaiting(): Promise<void> {
    await this.whileCancelling(async () => {
      for (const handle of this.tasks()) {
        const phase = handle.info().phase;
        if (phase === 'suspended' || phase === 'created') await handle.cancelProducingResumeData();
      }
    });
    await this.checkDrained();
  }

  async invalidateAndCancel(): Promise<void> {
    this.runtime.assertUsable();
    if (this.runtime.header.lifecycle === 'invalidated') return;
    if (this.runtime.header.lifecycle === 'active') {
      this.runtime.header = { ...this.runtime.header, lifecycle: 'finishing' };
      await this.runtime.commit([], 'strict', true);
    }
    await this.whileCancelling(() => Promise.all(this.tasks().map((handle) => handle.cancel())));
    await this.checkDrained();
  }

  /**
   * Runs `cancel` with the invalidation check held back, once every creation called before the
   * invalidation has its task: a task whose creation was still committing would escape it (run in
   * an invalidated session, or stay `created` forever). Creations called after it are refused.
   */
  private async whileCancelling(cancel: () => Promise<unknown>): Promise<void> {
    this.cancelling += 1;
    try {
      await this.creationsSettled();
      await cancel();
    } finally {
      this.cancelling -= 1;
    }
  }

  invalidated(signal?: unknown): Promise<void> {
    let checked: AbortSignal | undefined;
    try {
      checked = checkSignal(signal, 'invalidated');
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.runtime.header.lifecycle === 'invalidated' && this.invalidation === null) return Promise.resolve();
    const done = this.invalidation;
    if (done !== null) return done;
    return waitFor<void>(
      'invalidated',
      checked,
      (resolve) => {
        const waiter = () => resolve();
        this.waiters.add(waiter);
        return () => this.waiters.delete(waiter);
      },
      (listener) => this.runtime.whenStopped(listener),
      () => this.runtime.stoppedError(),
    );
  }

  /** Commits the invalidation if the session is finishing and no task is left to finish. */
  checkDrained(): Promise<void> {
    if (this.invalidation !== null) return this.invalidation;
    if (this.runtime.header.lifecycle !== 'finishing' || this.cancelling > 0) return Promise.resolve();
    // Stored tasks still joining after an open: one not decoded or relaunched yet may be running,
    // or suspended and not cancelled yet (`resumeFinishing` runs once they have all joined).
    if (this.runtime.loading !== null) return Promise.resolve();
    for (const record of this.runtime.records.values()) {
      if (!isTerminalPhase(record.phase) && record.phase !== 'suspended' && record.phase !== 'created') return Promise.resolve();
    }
    this.invalidation = this.commitInvalidation();
    return this.invalidation;
  }

  private async commitInvalidation(): Promise<void> {
    const { runtime } = this;
    runtime.header = { ...runtime.header, lifecycle: 'invalidated', highestSequence: runtime.header.highestSequence + 1 };
    const entry: OutboxEntry = {
      eventId: runtime.ports.random.id(),
      sequence: runtime.header.highestSequence,
      committedAt: runtime.ports.clock.now(),
      payload: { type: 'sessionDidBecomeInvalid', error: null },
    };
    await runtime.commit([{ type: 'put', collection: 'outbox', key: String(entry.sequence), value: encodeOutboxEntry(entry) }], 'strict', true);
    this.deliver([entry]);
  }
}
