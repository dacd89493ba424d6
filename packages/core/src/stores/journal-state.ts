import type { StoreCollection, StoreContents, StoreProblem } from '../ports/store.js';
import { journalCollections, type JournalBatch, type JournalEntry } from './journal-batch.js';
import { ParsedOnReadMap } from './parsed-on-read-map.js';
import { SpanTable, type SpanTexts } from './journal-span.js';

/** What a live record costs in the journal besides its value (its manifest entry, roughly). */
const entryOverhead = 24;

/** A live record: its JSON text, or where that text is in the journal file, a span of `spans` (ADR 29). */
export type LiveRecord = string | number;

/**
 * The live state a journal describes: the latest header and every live record, plus the records
 * known to be lost. A record committed since the open or the last compaction is held as its JSON
 * text; one read from the file (at the open, or written by a compaction) as its place in the file,
 * a span of its {@link SpanTable} (ADR 29). Text, not parsed values: compaction writes it back as it is, and
 * `contents()` hands out maps that parse a record at each read, so no caller ever holds a
 * reference into it.
 *
 * @example
 * ```ts
 * const state = new JournalState();
 * state.apply({ headerText: '{"h":1}', entries: [{ type: 'put', collection: 'tasks', key: '1', text: '{}' }] });
 * state.contents([]).records.get('tasks')?.get('1'); // {}
 * ```
 */
export class JournalState {
  /** The latest header as JSON text, or null before any. */
  headerText: string | null = null;
  /** Live records per collection: JSON text, or its place in the file. */
  readonly records: ReadonlyMap<StoreCollection, Map<string, LiveRecord>> = new Map(journalCollections.map((c) => [c, new Map<string, LiveRecord>()]));
  /** Records whose latest write could not be read, with the problem's message. */
  readonly lost: ReadonlyMap<StoreCollection, Map<string, string>> = new Map(journalCollections.map((c) => [c, new Map<string, string>()]));
  /** About how many bytes a compacted journal of this state takes. */
  liveBytes = 0;
  /** Where the records held by place are in the journal file. */
  spans = new SpanTable();

  /**
   * Applies one whole batch, in order. `spans`, when given, holds the place in the file of each
   * put's text, in the order of the batch's puts: those records are then held by place.
   */
  apply(batch: JournalBatch, spans?: readonly number[]): void {
    if (batch.headerText !== undefined) this.setHeader(batch.headerText);
    let put = 0;
    for (const entry of batch.entries) this.applyEntry(entry, entry.type === 'put' ? spans?.[put++] : undefined);
  }

  /** Replaces the header (JSON text). */
  setHeader(text: string): void {
    this.liveBytes += text.length - (this.headerText?.length ?? 0);
    this.headerText = text;
  }

  /**
   * Applies one change: a put or delete replaces whatever the key held, a loss included. A put with
   * a `span` is held by its place in the file (the span carries its text until `forgetTexts`).
   */
  applyEntry(entry: JournalEntry, span?: number): void {
    const records = this.records.get(entry.collection) as Map<string, LiveRecord>;
    const lost = this.lost.get(entry.collection) as Map<string, string>;
    const previous = records.get(entry.key);
    if (previous !== undefined) {
      this.liveBytes -= this.recordLength(previous) + entry.key.length + entryOverhead;
      records.delete(entry.key);
      if (typeof previous === 'number') this.spans.release(previous);
    }
    // A later write replaces a record whole, so it supersedes whatever an unreadable one did.
    const previousLoss = lost.get(entry.key);
    if (previousLoss !== undefined) {
      this.liveBytes -= previousLoss.length + entry.key.length + entryOverhead;
      lost.delete(entry.key);
    }
    if (entry.type === 'put') {
      records.set(entry.key, span ?? entry.text);
      this.liveBytes += (span === undefined ? entry.text.length : this.spans.length(span)) + entry.key.length + entryOverhead;
    } else if (entry.type === 'lost') {
      lost.set(entry.key, entry.message);
      this.liveBytes += entry.message.length + entry.key.length + entryOverhead;
    }
  }

  /**
   * Marks every live record lost, with `message`: bytes written after them are unreadable and may
   * have changed or deleted any of them. A later write of a key supersedes the loss, as always.
   * Records already lost stay lost with their own message.
   */
  loseAll(message: string): void {
    for (const collection of journalCollections) {
      const records = this.records.get(collection) as Map<string, LiveRecord>;
      const lost = this.lost.get(collection) as Map<string, string>;
      for (const [key, record] of records) {
        this.liveBytes += message.length - this.recordLength(record);
        lost.set(key, message);
      }
      records.clear();
    }
    // Only once every collection's records were measured in it (review: a table swapped after the
    // first collection made the others' lengths 0 or undefined, and liveBytes NaN).
    this.spans = new SpanTable();
  }

  /**
   * Marks `key` lost with `message`, as a replay does for a record it cannot read: for a record
   * whose bytes in the file no longer match their checksum when they are read again.
   */
  lose(collection: StoreCollection, key: string, message: string): void {
    this.applyEntry({ type: 'lost', collection, key, message });
  }

  /**
   * Holds every record by its place in a new file, after a compaction wrote it there: `table` is
   * the new file's, and `placed` names each record's span in it. The records are the same; only
   * where their texts are kept changes.
   */
  adopt(table: SpanTable, placed: ReadonlyArray<readonly [StoreCollection, string, number]>): void {
    for (const [collection, key, span] of placed) {
      const records = this.records.get(collection) as Map<string, LiveRecord>;
      const previous = records.get(key);
      if (previous === undefined) continue;
      // The same text, counted in bytes from now on, as records read from the file are: a text
      // counted in characters and later replaced as a span would leave liveBytes drifting down.
      this.liveBytes += table.length(span) - this.recordLength(previous);
      records.set(key, span);
    }
    this.spans = table;
  }

  /** Every live record held by its place in the file: its span. */
  *spanned(): Generator<number> {
    for (const records of this.records.values()) for (const record of records.values()) if (typeof record === 'number') yield record;
  }

  /** The text of a live record: its own, the one its span was read with, or the one `texts` read for it; null when none. */
  textOf(record: LiveRecord, texts?: SpanTexts): string | null {
    if (typeof record === 'string') return record;
    return this.spans.text(record) ?? texts?.get(record) ?? null;
  }

  /**
   * Drops the texts the spans carried since they were read: from now on a span's text is read
   * from the file when it is needed (a compaction, another `open()`). Called once the open has
   * handed its contents out.
   */
  forgetTexts(): void {
    this.spans.forgetTexts();
  }

  /** Hands `add` the texts of `collection`'s live records that parse, and reports the others into `reported`. */
  private readable(collection: StoreCollection, texts: SpanTexts | undefined, reported: StoreProblem[], add: (key: string, text: string) => void): void {
    for (const [key, record] of this.records.get(collection) ?? []) {
      const text = this.textOf(record, texts);
      if (text === null) reported.push(keyProblem(collection, key, changedOnDisk(collection, key, this.spans.start(record as number))));
      else if (!parse(text).ok) reported.push(keyProblem(collection, key, `The record ${collection}/${key} is not valid JSON.`));
      else add(key, text);
    }
  }

  private recordLength(record: LiveRecord): number {
    return typeof record === 'string' ? record.length : this.spans.length(record);
  }

  /**
   * The state as a Store hands it out: the records as maps that parse each value afresh at every
   * read (`ParsedOnReadMap`), the lost records as `CorruptRecord` problems after `problems`, and
   * any record whose text is not JSON reported and left out. Each text is parsed once here to
   * check it, and the value dropped at once: 100,000 parsed records held from the open until the
   * session decodes them would outlive several collections and leave the old generation
   * fragmented after they die (B5). The maps hold the texts of this moment, not the live state.
   * A span's text is its own, or else the one `texts` read for it from the file; a span with
   * neither (its bytes changed on disk since they were first read) is reported and left out.
   */
  contents(problems: readonly StoreProblem[], texts?: SpanTexts): StoreContents {
    const reported: StoreProblem[] = [...problems];
    let header: unknown = null;
    if (this.headerText !== null) {
      const parsed = parse(this.headerText);
      if (parsed.ok) header = parsed.value;
      else reported.push({ code: 'CorruptRecord', path: 'header', message: 'The header is not valid JSON.' });
    }
    const records = new Map<StoreCollection, ReadonlyMap<string, unknown>>();
    for (const collection of journalCollections) {
      records.set(collection, ParsedOnReadMap.filled((add) => this.readable(collection, texts, reported, add)));
      for (const [key, message] of this.lost.get(collection) ?? []) reported.push(keyProblem(collection, key, message));
    }
    return { header, records, problems: reported };
  }
}

/**
 * The message of a record whose bytes in the journal no longer match their checksum when they are
 * read again.
 *
 * @example
 * ```ts
 * changedOnDisk('tasks', '7', 4096); // 'The record tasks/7 at journal byte 4096 changed on disk ...'
 * ```
 */
export function changedOnDisk(collection: StoreCollection, key: string, at: number): string {
  return `The record ${collection}/${key} at journal byte ${at} changed on disk after it was written (checksum mismatch when read again); it is left out.`;
}

function keyProblem(collection: StoreCollection, key: string, message: string): StoreProblem {
  return { code: 'CorruptRecord', path: `${collection}/${key}`, message, collection, key };
}

function parse(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
