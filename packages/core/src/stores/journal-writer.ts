import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import { storageRecheckInterval } from '../policy/attempt-accounting.js';
import type { CancelTimer, Clock } from '../ports/clock.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import type { Probe } from '../ports/probe.js';
import { encodeJournalBatch, type EncodedJournalBatch } from './journal-batch.js';
import { encodeJournalSnapshot, replaceJournal, shouldCompact, type JournalCompactionOptions, type JournalPaths } from './journal-compaction.js';
import { encodeFrame } from './journal-frame.js';
import { readSpans, type SpanTexts } from './journal-span.js';
import type { JournalState } from './journal-state.js';
import type { StoreContents } from '../ports/store.js';

/**
 * How long after a relaxed commit its sync starts: half the 100 ms semantics section 7 allows, so
 * that the sync itself has time to end within them.
 */
export const relaxedSyncDelay = 50;

/**
 * How many syncs of the journal may run at once. Two let the commits that arrive while one sync
 * runs be appended and start their own at once, instead of waiting for it to end first (a commit
 * that waits for one sync per commit before it, such as the outbox's acknowledgements, then pays
 * one sync, not one and a half); more would mostly add syncs.
 */
const maxSyncsInFlight = 2;

/** What a {@link JournalWriter} starts from: an open journal whose `length` bytes are all durable. */
export interface JournalWriterOptions {
  readonly fs: FileSystem;
  readonly paths: JournalPaths;
  readonly handle: FileHandle;
  readonly state: JournalState;
  readonly length: number;
  /** Without a clock, relaxed commits are synced like strict ones (there is nothing to wait with). */
  readonly clock: Clock | undefined;
  readonly compaction: JournalCompactionOptions;
  /** Told before each append and each compaction rename (crash tests). */
  readonly probe?: Probe;
  /** The journal holds a newer format: it is never compacted (its commits are refused by the store). */
  readonly readOnly?: boolean;
}

interface PendingCommit {
  readonly encoded: EncodedJournalBatch;
  readonly needsSync: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Commits appended with one write, waiting to resolve (after a sync that covers them, if strict). */
interface Round {
  readonly commits: readonly PendingCommit[];
  /** The journal's length once they were appended. */
  readonly end: number;
  readonly needsSync: boolean;
}

/**
 * The journal's one writer: appends commits in call order, with group commit, and compacts.
 *
 * Group commit: commits called while a write is in flight wait in a queue; the next write appends
 * all of them and one datasync covers them. Writes run one at a time, in call order; a sync covers
 * every write finished before it started, and up to two run at once, so commits appended while one
 * sync runs start the next at once instead of waiting for it. Commits resolve in call order: a
 * round resolves once a sync started after its write has ended (at once, for relaxed commits with
 * a clock) and every earlier round has resolved.
 *
 * Failure: the first failed write, sync, rename or open puts the writer in its failed state for
 * good. The failed sync is never retried (after a failed fsync the kernel may have dropped the
 * dirty pages and marked them clean, so a second fsync could succeed over lost data); what was
 * written after the last acknowledged commit is cut off, best effort and unsynced, so that the
 * next owner in the same boot does not see commits that were reported as failed.
 *
 * @example
 * ```ts
 * const writer = new JournalWriter({ fs, paths, handle, state, length, clock: undefined, compaction: {} });
 * await writer.commit(encoded, 'strict');
 * await writer.finish();
 * ```
 */
export class JournalWriter {
  /** Set once, by the first failure: every later call rejects with it. */
  failure: BgSessionError | null = null;
  private readonly options: JournalWriterOptions;
  private handle: FileHandle;
  private queue: PendingCommit[] = [];
  /** The commits of the write in flight, if any. */
  private writing: readonly PendingCommit[] | null = null;
  /** The write in flight, awaited before a failure cuts the file. */
  private writeDone: Promise<void> = Promise.resolve();
  /** Appended, not resolved yet, in file order. */
  private rounds: Round[] = [];
  private syncsInFlight = 0;
  /** The highest length a started sync covers. */
  private syncTarget: number;
  private compacting = false;
  /** Reads of live records in progress (`contents`): no compaction closes the file meanwhile. */
  private reading = 0;
  private compactionWaiters: Array<() => void> = [];
  private waitingForSpace = false;
  private stepScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  private length: number;
  private durableLength: number;
  /** The end of the last commit that resolved; a failure cuts the file back to it. */
  private acknowledgedLength: number;
  /** How far a write may have reached, even one that failed halfway. */
  private written: number;
  /** Whether frames were appended since open (so a clean-close marker is worth writing). */
  private appended = false;
  private syncDue = false;
  private cancelTimer: CancelTimer | null = null;
  /** The length of the last snapshot this writer wrote (0 before any). */
  private snapshotLength = 0;
  /** Ends the wait for disk space early (close, fence); null when not waiting. */
  private wakeFromFullDisk: (() => void) | null = null;
  /** Set by `finish` and `abandon`: a full disk then fails the commits instead of waiting. */
  private closing = false;
  /** The cut after a failure, awaited before the file is closed. */
  private cutting: Promise<void> = Promise.resolve();

  constructor(options: JournalWriterOptions) {
    this.options = options;
    this.handle = options.handle;
    this.length = options.length;
    this.durableLength = options.length;
    this.acknowledgedLength = options.length;
    this.written = options.length;
    this.syncTarget = options.length;
  }

  /**
   * The live state as a store hands it out (`open()` on a store already open): records held by
   * their place in the file are read from it, after any compaction in progress.
   */
  async contents(): Promise<StoreContents> {
    this.reading += 1;
    try {
      while (this.compacting) await new Promise<void>((resolve) => this.compactionWaiters.push(resolve));
      return this.options.state.contents([], await this.readHeldTexts());
    } finally {
      this.reading -= 1;
      this.kick();
    }
  }

  /** The texts of the records the state holds by their place in the file, read from it (ADR 29). */
  private readHeldTexts(): Promise<SpanTexts> {
    const { state } = this.options;
    return readSpans(this.handle, state.spans, state.spanned());
  }

  /** Queues a commit; resolves once it is written and, unless relaxed with a clock, synced. */
  commit(encoded: EncodedJournalBatch, durability: 'strict' | 'relaxed'): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ encoded, needsSync: durability === 'strict' || this.options.clock === undefined, resolve, reject });
      this.kick();
    });
  }

  /**
   * Enters the failed state (if not already in it) with `failure`: pending commits reject with it,
   * and so does every later call.
   */
  failWith(failure: BgSessionError): BgSessionError {
    if (this.failure !== null) return this.failure;
    this.failure = failure;
    this.rejectPending(failure);
    this.disarm();
    this.wakeFromFullDisk?.();
    if (!this.stopped) {
      // After the write in flight, if any, so that it cannot land beyond the cut.
      this.cutting = this.writeDone.then(() => (this.written > this.acknowledgedLength ? this.handle.truncate(this.acknowledgedLength) : undefined)).catch(() => undefined);
    }
    this.step();
    return failure;
  }

  /** Waits for every queued commit, syncs what relaxed commits left unsynced, and closes the file. */
  async finish(): Promise<void> {
    this.closing = true;
    this.wakeFromFullDisk?.();
    await this.whenIdle();
    this.disarm();
    if (this.failure === null && this.durableLength < this.length) {
      try {
        await this.handle.datasync();
        this.durableLength = this.length;
      } catch (error) {
        this.failWith(journalFailure('sync', error));
      }
    }
    if (this.failure === null && this.appended) await this.markClean();
    await this.cutting;
    this.stopped = true;
    await this.handle.close().catch(() => undefined);
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Appends an empty frame saying the whole journal is durable. Without it, damage in the last
   * frames written before close could not be told from a torn write, and would be cut without a
   * word at the next open; with it, such damage is reported. Best effort and not synced: a marker
   * lost to a power loss is itself a torn tail, and costs nothing.
   */
  private async markClean(): Promise<void> {
    const marker = encodeJournalBatch({ headerText: undefined, entries: [] });
    await this.handle.write(encodeFrame(marker.manifest, marker.values, this.length), this.length).catch(() => undefined);
  }

  /** Stops at once, as the death of the process would: nothing more is written or synced. */
  abandon(): void {
    this.stopped = true;
    this.closing = true;
    this.wakeFromFullDisk?.();
    this.disarm();
    this.rejectPending(new BgSessionError('StoreFailed', 'The journal store was fenced; this commit was not acknowledged.'));
    void this.handle.close().catch(() => undefined);
    this.step();
  }

  private kick(): void {
    if (this.stepScheduled) return;
    this.stepScheduled = true;
    // One microtask later, so that commits called in the same turn share one write and one sync.
    void Promise.resolve().then(() => {
      this.stepScheduled = false;
      this.step();
    });
  }

  /** Starts whatever can start now: a write, a sync, a compaction; tells `finish` when all is quiet. */
  private step(): void {
    const usable = !this.stopped && this.failure === null && !this.compacting && !this.waitingForSpace;
    // A compaction that is due holds new writes back until what is written is synced and resolved,
    // then runs: waiting for a moment with nothing queued, it never came while commits followed
    // each other without a pause (each one called as the one before resolved), and the journal
    // grew for as long as the session was busy.
    const compactionDue =
      usable && !this.closing && this.options.readOnly !== true && this.reading === 0 && shouldCompact(this.length, this.options.state, this.options.compaction, this.snapshotLength);
    if (usable && !compactionDue && this.writing === null && this.queue.length > 0 && this.syncsInFlight < maxSyncsInFlight) {
      this.writeDone = this.writeRound().catch((error: unknown) => void this.failWith(journalFailure('write', error)));
    }
    const unsynced = this.length > this.syncTarget;
    // Not held by a wait for disk space: a relaxed commit that resolved before the disk filled is
    // still owed its sync within 100 ms (review; the append that failed was cut back, so the sync
    // covers only what was acknowledged).
    const canSync = !this.stopped && this.failure === null && !this.compacting;
    if (canSync && this.syncsInFlight < maxSyncsInFlight && (this.syncWanted() || (compactionDue && unsynced))) void this.sync();
    const drained = this.writing === null && this.rounds.length === 0 && this.syncsInFlight === 0 && this.durableLength === this.length;
    if (compactionDue && drained) void this.compact();
    const settled = this.stopped || this.failure !== null || (this.quiet() && !this.waitingForSpace);
    if (settled && this.writing === null && this.syncsInFlight === 0 && !this.compacting && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Nothing queued, written or syncing, and no compaction running. */
  private quiet(): boolean {
    return this.writing === null && this.queue.length === 0 && this.rounds.length === 0 && this.syncsInFlight === 0 && !this.compacting;
  }

  private whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.step();
    });
  }

  /** Whether appended bytes a started sync does not cover are owed one: a strict round, or relaxed ones past their delay. */
  private syncWanted(): boolean {
    if (this.length <= this.syncTarget) return false;
    return this.syncDue || this.rounds.some((round) => round.needsSync && round.end > this.syncTarget);
  }

  private async writeRound(): Promise<void> {
    const round = this.queue;
    this.queue = [];
    this.writing = round;
    const frames = round.map((pending) => encodeFrame(pending.encoded.manifest, pending.encoded.values, this.durableLength));
    const bytes = concat(frames);
    const start = this.length;
    this.written = Math.max(this.written, start + bytes.length);
    try {
      this.options.probe?.pass('journal-append');
      await this.handle.write(bytes, start);
    } catch (error) {
      this.writing = null;
      if (this.stopped || this.failure !== null) return this.step();
      // Back in the queue first: a failure meanwhile rejects them with the rest.
      this.queue = [...round, ...this.queue];
      return this.afterFailedWrite(start, error);
    }
    this.writing = null;
    if (this.stopped || this.failure !== null) return this.step();
    this.appended = true;
    this.length = start + bytes.length;
    for (const pending of round) this.options.state.apply(pending.encoded.batch);
    const needsSync = round.some((pending) => pending.needsSync);
    this.rounds.push({ commits: round, end: this.length, needsSync });
    if (!needsSync) this.arm();
    this.resolveReady();
    this.kick();
  }

  /**
   * A full disk waits, as it does for a download's bytes (semantics section 4): nothing of the
   * round was acknowledged, so cut what the write may have added, put the round back, and try
   * again when space may have come back. Its commits stay pending meanwhile. Any other failure is
   * the store's.
   */
  private async afterFailedWrite(start: number, error: unknown): Promise<void> {
    const clock = this.options.clock;
    if (!isBgSessionError(error, 'DiskFull') || clock === undefined || this.closing) {
      this.failWith(journalFailure('write', error));
      return;
    }
    this.waitingForSpace = true;
    try {
      await this.handle.truncate(start);
      this.written = start;
      if (this.failure === null && !this.closing) await this.waitForSpace(clock);
    } catch (cut) {
      this.failWith(journalFailure('write', cut));
    } finally {
      this.waitingForSpace = false;
      this.kick();
    }
  }

  private async sync(): Promise<void> {
    this.disarm();
    const target = this.length;
    this.syncTarget = target;
    this.syncsInFlight += 1;
    try {
      await this.handle.datasync();
    } catch (error) {
      this.syncsInFlight -= 1;
      if (!this.stopped) this.failWith(journalFailure('sync', error));
      this.step();
      return;
    }
    this.syncsInFlight -= 1;
    if (this.stopped || this.failure !== null) {
      this.step();
      return;
    }
    this.durableLength = Math.max(this.durableLength, target);
    this.resolveReady();
    this.kick();
  }

  /** Resolves the rounds at the head whose durability is met, in file order. */
  private resolveReady(): void {
    while (this.rounds.length > 0) {
      const round = this.rounds[0] as Round;
      if (round.needsSync && round.end > this.durableLength) return;
      this.rounds.shift();
      this.acknowledgedLength = Math.max(this.acknowledgedLength, round.end);
      for (const pending of round.commits) pending.resolve();
    }
  }

  private async compact(): Promise<void> {
    const { fs, paths, state } = this.options;
    this.compacting = true;
    try {
      // Records held by their place in this file are read before it is closed (ADR 29).
      const snapshot = encodeJournalSnapshot(state, await this.readHeldTexts());
      await this.handle.close();
      const outcome = await replaceJournal(fs, paths, snapshot.bytes, () => !this.stopped, this.options.probe);
      if (outcome === 'no-room' && !this.stopped) {
        // No room for the snapshot: keep the old journal, and try again only once it has doubled.
        await fs.unlink(paths.temporary).catch(() => undefined);
        this.handle = await fs.open(paths.journal, { mode: 'rw' });
        this.snapshotLength = this.length;
        return;
      }
      if (outcome !== 'replaced' || this.stopped) return;
      // The snapshot is the journal now: its records are held by their place in it, and records
      // whose bytes had changed on disk are lost, as the snapshot says.
      for (const [collection, key, message] of snapshot.lost) state.lose(collection, key, message);
      state.adopt(snapshot.table, snapshot.placed);
      this.handle = await fs.open(paths.journal, { mode: 'rw' });
      const length = snapshot.bytes.length;
      this.length = length;
      this.snapshotLength = length;
      this.durableLength = length;
      this.acknowledgedLength = length;
      this.written = length;
      this.syncTarget = length;
    } catch (error) {
      if (!this.stopped) this.failWith(journalFailure('compact', error));
    } finally {
      this.compacting = false;
      const waiters = this.compactionWaiters;
      this.compactionWaiters = [];
      for (const wake of waiters) wake();
      this.kick();
    }
  }

  private waitForSpace(clock: Clock): Promise<void> {
    return new Promise((resolve) => {
      const cancel = clock.setTimer(storageRecheckInterval, () => wake());
      const wake = (): void => {
        cancel();
        this.wakeFromFullDisk = null;
        resolve();
      };
      this.wakeFromFullDisk = wake;
    });
  }

  /** Makes the sync that relaxed commits are owed happen within the deadline. */
  private arm(): void {
    const { clock } = this.options;
    if (clock === undefined || this.cancelTimer !== null) return;
    this.cancelTimer = clock.setTimer(relaxedSyncDelay, () => {
      this.cancelTimer = null;
      this.syncDue = true;
      this.kick();
    });
  }

  private disarm(): void {
    this.syncDue = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private rejectPending(error: BgSessionError): void {
    const pending = [...this.rounds.flatMap((round) => round.commits), ...(this.writing ?? []), ...this.queue];
    this.rounds = [];
    this.writing = null;
    this.queue = [];
    for (const commit of pending) commit.reject(error);
  }
}

/**
 * The `StoreFailed` error a journal failure becomes; the port's error (`DiskFull`, `StoreFailed`
 * for EIO...) is its cause.
 *
 * @example
 * ```ts
 * journalFailure('sync', new BgSessionError('StoreFailed', 'EIO')).code; // 'StoreFailed'
 * ```
 */
export function journalFailure(action: string, cause: unknown): BgSessionError {
  const reason = cause instanceof BgSessionError ? `${cause.code}: ${cause.message}` : cause instanceof Error ? cause.message : String(cause);
  return new BgSessionError('StoreFailed', `The journal could not ${action} (${reason}); the store refuses every call until it is reopened.`, { cause });
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
