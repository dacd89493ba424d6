import { deepEqual } from '../codecs/plain-object.js';

/** How many distinct values of one kind are shared; past that, a value is kept as it is. */
const keptPerKind = 16;
/** How many distinct short strings are shared. */
const keptStrings = 1024;
/** Longer strings are rarely equal across records (URLs, keys): not worth a lookup. */
const shortString = 64;

/**
 * Shares equal parts of the records decoded in one open (B5): the options, attempt accounts,
 * progress, header maps and errors that 100,000 queued tasks hold are nearly always equal, and a
 * decoder allocates a copy of each per record. The first value of each kind is kept (frozen, so
 * that a change through one record cannot reach the others; records are never changed in place)
 * and handed out for every deeply equal one after it. Only a few values of each kind are kept, so
 * records that all differ (a path destination per task) cost a few comparisons, not memory.
 *
 * @example
 * ```ts
 * const sharing = new RecordSharing();
 * sharing.value('options', a.options) === sharing.value('options', b.options); // true when equal
 * ```
 */
export class RecordSharing {
  private readonly kept = new Map<string, unknown[]>();
  private readonly strings = new Map<string, string>();

  /** `value`, or an equal value of the same `kind` met before it. */
  value<T>(kind: string, value: T): T {
    if (typeof value !== 'object' || value === null) return value;
    let list = this.kept.get(kind);
    if (list === undefined) {
      list = [];
      this.kept.set(kind, list);
    }
    for (const kept of list) if (deepEqual(kept, value)) return kept as T;
    if (list.length < keptPerKind) list.push(deepFreeze(value));
    return value;
  }

  /** `text`, or an equal string met before it (short strings only: methods, header names). */
  string(text: string): string {
    if (text.length > shortString) return text;
    const kept = this.strings.get(text);
    if (kept !== undefined) return kept;
    if (this.strings.size < keptStrings) this.strings.set(text, text);
    return text;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const item of Object.values(value)) deepFreeze(item);
  return Object.freeze(value);
}
