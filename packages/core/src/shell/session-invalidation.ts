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

  constructor(
    private readonly runtime: SessionRuntime,
    private readonly tasks: () => readonly Task[],
    private readonly deliver: (entries: readonly OutboxEntry[]) => void,
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
    for (const handle of this.tasks()) {
      const phase = handle.info().phase;
      if (phase === 'suspended' || phase === 'created') await handle.cancelProducingResumeData();
    }
    await this.checkDrained();
  }

  async invalidateAndCancel(): Promise<void> {
    this.runtime.assertUsable();
    if (this.runtime.header.lifecycle === 'invalidated') return;
    if (this.runtime.header.lifecycle === 'active') {
      this.runtime.header = { ...this.runtime.header, lifecycle: 'finishing' };
      await this.runtime.commit([], 'strict', true);
    }
    await Promise.all(this.tasks().map((handle) => handle.cancel()));
    await this.checkDrained();
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
    if (this.runtime.header.lifecycle !== 'finishing') return Promise.resolve();
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
