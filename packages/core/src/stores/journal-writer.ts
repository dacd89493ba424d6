import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import { storageRecheckInterval } from '../policy/attempt-accounting.js';
import type { CancelTimer, Clock } from '../ports/clock.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import type { Probe } from '../ports/probe.js';
import { encodeJournalBatch, type EncodedJournalBatch } from './journal-batch.js';
import { encodeJournalSnapshot, replaceJournal, shouldCompact, type JournalCompactionOptions, type JournalPaths } from './journal-compaction.js';
import { encodeFrame } from './journal-frame.js';
import type { JournalState } from './journal-state.js';

/**
 * How long after a relaxed commit its sync starts: half the 100 ms semantics section 7 allows, so
 * that the sync itself has time to end within them.
 */
export const relaxedSyncDelay = 50;

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
}

interface PendingCommit {
  readonly encoded: EncodedJournalBatch;
  readonly needsSync: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The journal's one writer: appends commits in call order, with group commit, and compacts.
 *
 * Group commit: commits called while a write or a sync is in flight wait in a queue; the next
 * round appends all of them with one write and covers them with one datasync, so N concurrent
 * strict commits cost about two syncs, not N. A round that holds a strict commit resolves all of
 * its commits after the sync, so they resolve in call order.
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
  /** The round being written and synced, not resolved yet. */
  private round: PendingCommit[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
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
  /** What the writer is doing, for the failure's message. */
  private step: 'write' | 'sync' | 'compact' = 'write';
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
    if (this.written > this.acknowledgedLength && !this.stopped) {
      this.cutting = this.handle.truncate(this.acknowledgedLength).catch(() => undefined);
    }
    return failure;
  }

  /** Waits for every queued commit, syncs what relaxed commits left unsynced, and closes the file. */
  async finish(): Promise<void> {
    this.closing = true;
    this.wakeFromFullDisk?.();
    while (this.running) await this.idle;
    this.disarm();
    if (this.failure === null && this.durableLength < this.length) {
      try {
        await this.sync();
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
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // One microtask later, so that commits called in the same turn share one write and one sync.
    this.idle = Promise.resolve().then(() => this.pump());
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped || this.failure !== null) return;
        if (this.queue.length > 0) {
          await this.writeRound();
        } else if (this.syncDue && this.durableLength < this.length) {
          await this.sync();
        } else if (this.durableLength === this.length && shouldCompact(this.length, this.options.state, this.options.compaction, this.snapshotLength)) {
          await this.compact();
        } else {
          return;
        }
      }
    } catch (error) {
      this.failWith(journalFailure(this.step, error));
    } finally {
      this.running = false;
    }
  }

  private async writeRound(): Promise<void> {
    const round = this.queue;
    this.queue = [];
    this.round = round;
    const frames = round.map((pending) => encodeFrame(pending.encoded.manifest, pending.encoded.values, this.durableLength));
    const bytes = concat(frames);
    const start = this.length;
    this.written = Math.max(this.written, start + bytes.length);
    this.step = 'write';
    this.options.probe?.pass('journal-append');
    try {
      await this.handle.write(bytes, start);
    } catch (error) {
      if (!isBgSessionError(error, 'DiskFull') || this.options.clock === undefined || this.closing) throw error;
      // A full disk waits, as it does for a download's bytes (semantics section 4): nothing of
      // the round was acknowledged, so cut what the write may have added, put the round back,
      // and try again when space may have come back. Its commits stay pending meanwhile.
      await this.handle.truncate(start);
      this.written = start;
      this.queue = [...round, ...this.queue];
      this.round = [];
      await this.waitForSpace(this.options.clock);
      return;
    }
    if (this.stopped) return;
    this.appended = true;
    this.length = start + bytes.length;
    for (const pending of round) this.options.state.apply(pending.encoded.batch);
    if (round.some((pending) => pending.needsSync)) {
      await this.sync();
      if (this.stopped) return;
    } else {
      this.acknowledgedLength = this.length;
      this.arm();
    }
    this.round = [];
    for (const pending of round) pending.resolve();
  }

  private async sync(): Promise<void> {
    this.disarm();
    const target = this.length;
    this.step = 'sync';
    await this.handle.datasync();
    this.durableLength = Math.max(this.durableLength, target);
    this.acknowledgedLength = Math.max(this.acknowledgedLength, target);
  }

  private async compact(): Promise<void> {
    const { fs, paths, state } = this.options;
    const snapshot = encodeJournalSnapshot(state);
    this.step = 'compact';
    await this.handle.close();
    let replaced: boolean;
    try {
      replaced = await replaceJournal(fs, paths, snapshot, () => !this.stopped, this.options.probe);
    } catch (error) {
      if (!isBgSessionError(error, 'DiskFull') || this.stopped) throw error;
      // No room for the snapshot: keep the old journal, and try again only once it has doubled.
      await fs.unlink(paths.temporary).catch(() => undefined);
      this.handle = await fs.open(paths.journal, { mode: 'rw' });
      this.snapshotLength = this.length;
      return;
    }
    if (!replaced || this.stopped) return;
    this.handle = await fs.open(paths.journal, { mode: 'rw' });
    this.length = snapshot.length;
    this.snapshotLength = snapshot.length;
    this.durableLength = snapshot.length;
    this.acknowledgedLength = snapshot.length;
    this.written = snapshot.length;
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
    const pending = [...this.round, ...this.queue];
    this.round = [];
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
