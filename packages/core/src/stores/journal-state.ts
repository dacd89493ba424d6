import type { StoreCollection, StoreContents, StoreProblem } from '../ports/store.js';
import { journalCollections, type JournalBatch, type JournalEntry } from './journal-batch.js';
import { ParsedOnReadMap } from './parsed-on-read-map.js';

/** What a live record costs in the journal besides its value (its manifest entry, roughly). */
const entryOverhead = 24;

/**
 * The live state a journal describes: the latest header and every live record, as JSON text, plus
 * the records known to be lost. Text, not parsed values: compaction writes it back as it is, and
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
  /** Live records per collection, as JSON text. */
  readonly records: ReadonlyMap<StoreCollection, Map<string, string>> = new Map(journalCollections.map((c) => [c, new Map<string, string>()]));
  /** Records whose latest write could not be read, with the problem's message. */
  readonly lost: ReadonlyMap<StoreCollection, Map<string, string>> = new Map(journalCollections.map((c) => [c, new Map<string, string>()]));
  /** About how many bytes a compacted journal of this state takes. */
  liveBytes = 0;

  /** Applies one whole batch, in order. */
  apply(batch: JournalBatch): void {
    if (batch.headerText !== undefined) this.setHeader(batch.headerText);
    for (const entry of batch.entries) this.applyEntry(entry);
  }

  /** Replaces the header (JSON text). */
  setHeader(text: string): void {
    this.liveBytes += text.length - (this.headerText?.length ?? 0);
    this.headerText = text;
  }

  /** Applies one change: a put or delete replaces whatever the key held, a loss included. */
  applyEntry(entry: JournalEntry): void {
    const records = this.records.get(entry.collection) as Map<string, string>;
    const lost = this.lost.get(entry.collection) as Map<string, string>;
    const previous = records.get(entry.key);
    if (previous !== undefined) {
      this.liveBytes -= previous.length + entry.key.length + entryOverhead;
      records.delete(entry.key);
    }
    // A later write replaces a record whole, so it supersedes whatever an unreadable one did.
    const previousLoss = lost.get(entry.key);
    if (previousLoss !== undefined) {
      this.liveBytes -= previousLoss.length + entry.key.length + entryOverhead;
      lost.delete(entry.key);
    }
    if (entry.type === 'put') {
      records.set(entry.key, entry.text);
      this.liveBytes += entry.text.length + entry.key.length + entryOverhead;
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
      const records = this.records.get(collection) as Map<string, string>;
      const lost = this.lost.get(collection) as Map<string, string>;
      for (const [key, text] of records) {
        this.liveBytes += message.length - text.length;
        lost.set(key, message);
      }
      records.clear();
    }
  }

  /**
   * The state as a Store hands it out: the records as maps that parse each value afresh at every
   * read (`ParsedOnReadMap`), the lost records as `CorruptRecord` problems after `problems`, and
   * any record whose text is not JSON reported and left out. Each text is parsed once here to
   * check it, and the value dropped at once: 100,000 parsed records held from the open until the
   * session decodes them would outlive several collections and leave the old generation
   * fragmented after they die (B5). The maps hold the texts of this moment, not the live state.
   */
  contents(problems: readonly StoreProblem[]): StoreContents {
    const reported: StoreProblem[] = [...problems];
    let header: unknown = null;
    if (this.headerText !== null) {
      const parsed = parse(this.headerText);
      if (parsed.ok) header = parsed.value;
      else reported.push({ code: 'CorruptRecord', path: 'header', message: 'The header is not valid JSON.' });
    }
    const records = new Map<StoreCollection, ReadonlyMap<string, unknown>>();
    for (const collection of journalCollections) {
      const texts = this.records.get(collection) ?? new Map<string, string>();
      const bad = new Set<string>();
      for (const [key, text] of texts) {
        if (!parse(text).ok) {
          bad.add(key);
          reported.push(keyProblem(collection, key, `The record ${collection}/${key} is not valid JSON.`));
        }
      }
      records.set(collection, new ParsedOnReadMap(bad.size === 0 ? texts : [...texts].filter(([key]) => !bad.has(key))));
      for (const [key, message] of this.lost.get(collection) ?? []) reported.push(keyProblem(collection, key, message));
    }
    return { header, records, problems: reported };
  }
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
