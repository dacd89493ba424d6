import { isBgSessionError } from '../errors/bg-session-error.js';
import type { FileSystem } from '../ports/file-system.js';
import { encodeJournalBatch, journalCollections, type EncodedJournalBatch, type JournalEntry } from './journal-batch.js';
import { encodeFrame, frameHeaderLength, readFrameHeader, type FrameHeader } from './journal-frame.js';
import type { StoreCollection } from '../ports/store.js';
import { putRanges, SpanTable, type SpanTexts } from './journal-span.js';
import { changedOnDisk, type JournalState } from './journal-state.js';
import type { Probe } from '../ports/probe.js';

/** When a journal is compacted. */
export interface JournalCompactionOptions {
  /** Never below this many bytes (1 MiB by default). */
  readonly minimumBytes?: number;
  /** Once the journal is this many times the size of its live state (4 by default). */
  readonly growthFactor?: number;
}

/** Where a journal's files are. */
export interface JournalPaths {
  readonly directory: string;
  readonly journal: string;
  /** The snapshot being written; renamed over `journal` once durable. */
  readonly temporary: string;
}

// A snapshot is cut into frames of about this size, so one damaged frame quarantines a few hundred
// records, not all of them.
const frameTextBudget = 256 * 1024;
const frameEntryBudget = 4096;

/**
 * Whether a journal of `length` bytes over `state` is due for compaction.
 *
 * @example
 * ```ts
 * shouldCompact(8 << 20, state, {}); // true when the live state is under 2 MiB
 * ```
 */
export function shouldCompact(length: number, state: JournalState, options: JournalCompactionOptions, lastSnapshotLength = 0): boolean {
  const minimum = options.minimumBytes ?? 1024 * 1024;
  const factor = options.growthFactor ?? 4;
  // A snapshot is longer than the live bytes it holds (framing): with a small factor it would be
  // due again at once, and compaction would never end. The journal must first double.
  return length > minimum && length > factor * state.liveBytes && length >= 2 * lastSnapshotLength;
}

/** A compaction snapshot: the bytes of the new journal, and where its records are in them. */
export interface JournalSnapshot {
  readonly bytes: Uint8Array;
  /** Where the records written are in `bytes`. */
  readonly table: SpanTable;
  /** Each record written, and its span in `table`. */
  readonly placed: ReadonlyArray<readonly [StoreCollection, string, number]>;
  /** Records whose bytes changed on disk since they were read: written as lost, with the message. */
  readonly lost: ReadonlyArray<readonly [StoreCollection, string, string]>;
}

/**
 * The live state as a journal of its own: the header in the first frame, records in frames of at
 * most 256 KiB, lost records last (so they stay reported). Every frame's `durableBefore` is the
 * snapshot's whole length: the snapshot is synced before it becomes the journal, so any damage
 * found in it later is corruption of durable data, reported, never cut as a torn tail. A record
 * held by its place in the old journal takes its text from `texts` (read by `readSpans`); one whose
 * bytes no longer match their checksum is written as lost, as a replay would have reported it.
 *
 * @example
 * ```ts
 * const snapshot = encodeJournalSnapshot(state, await readSpans(handle, state.spans, state.spanned()));
 * ```
 */
export function encodeJournalSnapshot(state: JournalState, texts: SpanTexts = new Map()): JournalSnapshot {
  const bodies: Array<{ readonly encoded: EncodedJournalBatch; readonly entries: readonly JournalEntry[] }> = [];
  const lost: Array<readonly [StoreCollection, string, string]> = [];
  let headerText = state.headerText ?? undefined;
  let entries: JournalEntry[] = [];
  let text = 0;
  const flush = (): void => {
    if (entries.length === 0 && headerText === undefined) return;
    bodies.push({ encoded: encodeJournalBatch({ headerText, entries }), entries });
    headerText = undefined;
    entries = [];
    text = 0;
  };
  const add = (entry: JournalEntry, size: number): void => {
    if (text + size > frameTextBudget || entries.length >= frameEntryBudget) flush();
    entries.push(entry);
    text += size;
  };
  const lostEntries: JournalEntry[] = [];
  for (const collection of journalCollections) {
    for (const [key, record] of state.records.get(collection) ?? []) {
      const value = state.textOf(record, texts);
      if (value !== null) {
        add({ type: 'put', collection, key, text: value }, value.length + key.length);
        continue;
      }
      const message = changedOnDisk(collection, key, state.spans.start(record as number));
      lost.push([collection, key, message]);
      lostEntries.push({ type: 'lost', collection, key, message });
    }
  }
  for (const collection of journalCollections) {
    for (const [key, message] of state.lost.get(collection) ?? []) lostEntries.push({ type: 'lost', collection, key, message });
  }
  for (const entry of lostEntries) add(entry, entry.type === 'lost' ? entry.message.length + entry.key.length : 0);
  flush();
  const total = bodies.reduce((sum, body) => sum + frameHeaderLength + body.encoded.manifest.length + body.encoded.values.length, 0);
  const bytes = new Uint8Array(total);
  const table = new SpanTable();
  const placed: Array<readonly [StoreCollection, string, number]> = [];
  let offset = 0;
  for (const { encoded, entries: written } of bodies) {
    const frame = encodeFrame(encoded.manifest, encoded.values, total);
    bytes.set(frame, offset);
    const valuesStart = offset + frameHeaderLength + encoded.manifest.length;
    const values = table.addFrame(valuesStart, valuesStart + encoded.values.length, (readFrameHeader(frame, 0) as FrameHeader).valuesCrc);
    const puts = written.filter((entry) => entry.type === 'put');
    putRanges(encoded.batch, encoded.values, 0, encoded.values.length).forEach(([from, to], i) => {
      const entry = puts[i] as JournalEntry;
      placed.push([entry.collection, entry.key, table.add(values, valuesStart + from, to - from, null)]);
    });
    offset += frame.length;
  }
  return { bytes, table, placed, lost };
}

/**
 * Replaces the journal with `snapshot`: written to a temporary file, synced, renamed over the
 * journal, and the directory synced. A crash at any step leaves either the old journal or the new
 * one, each whole: the rename is atomic, and the new file is durable before it gets the name.
 * The caller must have closed its handle on the old journal (Windows cannot rename over an open
 * file) and opens the new one afterwards. `stillOwner` is asked before the rename: an owner that
 * was fenced meanwhile must not replace what its successor now writes ('fenced' then). A full disk
 * up to the rename leaves the old journal as it was ('no-room'; the temporary file is the caller's
 * to remove). Any failure after the rename throws: the journal is the snapshot by then, whatever
 * the error says (review: a full disk reported by the directory sync was taken for no room, and
 * the next commit was written past the snapshot's end).
 *
 * @example
 * ```ts
 * await replaceJournal(fs, paths, encodeJournalSnapshot(state).bytes, () => true); // 'replaced'
 * ```
 */
export async function replaceJournal(
  fs: FileSystem,
  paths: JournalPaths,
  snapshot: Uint8Array,
  stillOwner: () => boolean,
  probe?: Probe,
): Promise<'replaced' | 'fenced' | 'no-room'> {
  try {
    const handle = await fs.open(paths.temporary, { mode: 'rw', create: true });
    try {
      // A temporary file left by an earlier crash may be longer than this snapshot.
      await handle.truncate(0);
      await handle.write(snapshot, 0);
      await handle.datasync();
    } finally {
      await handle.close().catch(() => undefined);
    }
    if (!stillOwner()) return 'fenced';
    probe?.pass('compaction-rename');
    await fs.rename(paths.temporary, paths.journal);
  } catch (error) {
    if (isBgSessionError(error, 'DiskFull')) return 'no-room';
    throw error;
  }
  await fs.fsyncDir(paths.directory);
  return 'replaced';
}
