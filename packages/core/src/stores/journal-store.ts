import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import type { Clock } from '../ports/clock.js';
import type { FileLock, FileSystem } from '../ports/file-system.js';
import type { Probe } from '../ports/probe.js';
import type { Store, StoreBatch, StoreCapabilities, StoreContents } from '../ports/store.js';
import { encodeStoreBatch } from './journal-batch.js';
import type { JournalCompactionOptions, JournalPaths } from './journal-compaction.js';
import { ensureDirectory, loadJournal } from './journal-load.js';
import type { JournalState } from './journal-state.js';
import { JournalWriter, journalFailure } from './journal-writer.js';

/** Options of {@link createJournalStore}. */
export interface JournalStoreOptions {
  /** Where the files are: node:fs in Node, the simulator's lossy disk, a memory file system in tests. */
  readonly fs: FileSystem;
  /** The session's directory (absolute). Created when missing; its parent must exist. */
  readonly directory: string;
  /**
   * Lets a `relaxed` commit resolve after its append, with the sync started 50 ms later. Without a
   * clock there is no way to keep that deadline, so relaxed commits are synced like strict ones.
   */
  readonly clock?: Clock;
  /** When the journal is rewritten from the live state (1 MiB and 4 times the live size by default). */
  readonly compaction?: JournalCompactionOptions;
  /** Told at the journal's crash points (`journal-append`, `compaction-rename`); for crash tests. */
  readonly probe?: Probe;
}

/** A {@link Store} kept in an append-only journal file. */
export interface JournalStore extends Store {
  /** The directory the journal lives in. */
  readonly directory: string;
  /**
   * Simulates the death of the owner (for tests): the lock is released, nothing more is written,
   * pending commits reject, and every later call rejects with `StoreFailed`.
   */
  fence(): Promise<void>;
}

type Phase = 'new' | 'opening' | 'open' | 'closing' | 'closed' | 'failed' | 'fenced';

/**
 * Creates the journal {@link Store}: one append-only file in `directory` (`journal`), written only
 * through the FileSystem port, so the code users run on node:fs is the code the simulator's lossy
 * disk tortures. Each commit is one checksummed frame; commits called while a sync is in flight are
 * appended together and share the next sync (group commit); a strict commit resolves only after
 * the sync that covers it. `open()` takes the lock `journal.lock` (a second live owner gets
 * `SessionInUse`), replays the journal, cuts a torn tail and reports damaged records as problems
 * instead of throwing. When the journal outgrows its live state it is rewritten (compacted) through
 * a temporary file and an atomic rename. The format is docs/decisions/0009-journal-format.md.
 *
 * @example
 * ```ts
 * const store = createJournalStore({ fs, directory: '/var/lib/app/sessions/photos', clock });
 * const contents = await store.open(); // { header: null, records, problems: [] } the first time
 * await store.commit({
 *   header: { identifier: 'photos' },
 *   operations: [{ type: 'put', collection: 'tasks', key: '1', value: { phase: 'created' } }],
 *   durability: 'strict',
 * }); // durable when it resolves
 * await store.close();
 * ```
 */
export function createJournalStore(options: JournalStoreOptions): JournalStore {
  const { fs, directory } = options;
  const paths: JournalPaths = { directory, journal: fs.join(directory, 'journal'), temporary: fs.join(directory, 'journal.tmp') };
  const lockPath = fs.join(directory, 'journal.lock');
  const capabilities: StoreCapabilities = { survivesPowerLoss: true };
  let phase: Phase = 'new';
  let lock: FileLock | null = null;
  let writer: JournalWriter | null = null;
  let state: JournalState | null = null;
  /** Set when the journal holds a newer format: it is read, never written. */
  let refusal: BgSessionError | null = null;

  function refuse(call: string): Promise<never> {
    return Promise.reject(new BgSessionError('StoreFailed', `The journal store is ${phase}; ${call} refused.`, { path: directory }));
  }

  async function releaseLock(): Promise<void> {
    const held = lock;
    lock = null;
    await held?.release().catch(() => undefined);
  }

  async function open(): Promise<StoreContents> {
    if (phase === 'open' && writer !== null) return writer.contents();
    if (phase !== 'new') return refuse('open');
    phase = 'opening';
    try {
      await ensureDirectory(fs, directory);
      lock = await fs.lock(lockPath);
    } catch (error) {
      // Nothing was taken: the same instance may try again.
      if (phase === 'opening') phase = 'new';
      throw isBgSessionError(error, 'SessionInUse') ? error : journalFailure('open', error);
    }
    try {
      if (phase !== 'opening') throw new BgSessionError('StoreFailed', `The journal store was ${phase} while it opened.`);
      const { handle, replay } = await loadJournal(fs, paths);
      if (phase !== 'opening') {
        await handle.close().catch(() => undefined);
        throw new BgSessionError('StoreFailed', `The journal store was ${phase} while it opened.`);
      }
      state = replay.state;
      writer = new JournalWriter({
        fs,
        paths,
        handle,
        state,
        length: replay.validLength,
        clock: options.clock,
        compaction: options.compaction ?? {},
        readOnly: replay.newerVersion !== null,
        ...(options.probe === undefined ? {} : { probe: options.probe }),
      });
      if (replay.newerVersion !== null) {
        refusal = new BgSessionError('StoreFailed', `The journal was written by a newer format (version ${replay.newerVersion.version}); this library does not write to it.`, { path: paths.journal });
      }
      phase = 'open';
      const contents = replay.state.contents(replay.problems);
      // From now on the records read are held by their place in the file, not as text (ADR 29).
      replay.state.forgetTexts();
      return contents;
    } catch (error) {
      if (phase === 'opening') phase = 'failed';
      await releaseLock();
      throw isBgSessionError(error, 'StoreFailed') ? error : journalFailure('open', error);
    }
  }

  function commit(batch: StoreBatch): Promise<void> {
    if (phase !== 'open' || writer === null) return refuse('commit');
    if (writer.failure !== null) return Promise.reject(writer.failure);
    if (refusal !== null) return Promise.reject(writer.failWith(refusal));
    const encoded = encodeStoreBatch(batch);
    if (encoded instanceof BgSessionError) return Promise.reject(writer.failWith(encoded));
    return writer.commit(encoded, batch.durability);
  }

  async function close(): Promise<void> {
    if (phase === 'new' || phase === 'opening') {
      // An open in progress sees this and lets go of what it took.
      phase = 'closed';
      return;
    }
    if (phase !== 'open' || writer === null) return refuse('close');
    phase = 'closing';
    try {
      await writer.finish();
    } finally {
      // A failed store still lets go of its lock, so the session can be reopened.
      await releaseLock();
      phase = 'closed';
    }
  }

  async function fence(): Promise<void> {
    phase = 'fenced';
    writer?.abandon();
    await releaseLock();
  }

  return { capabilities, directory, open, commit, close, fence };
}
