import { BgSessionError } from '../errors/bg-session-error.js';
import type { StoreBatch, StoreCollection } from '../ports/store.js';

/** The collections a journal knows. */
export const journalCollections: readonly StoreCollection[] = ['tasks', 'outbox', 'resumeData'];

/**
 * One change in a frame. `lost` is written only by compaction: it carries forward a record that an
 * earlier journal could not read, so it stays quarantined and reported after the damaged bytes
 * are gone.
 */
export type JournalEntry =
  | { readonly type: 'put'; readonly collection: StoreCollection; readonly key: string; /** JSON text */ readonly text: string }
  | { readonly type: 'delete'; readonly collection: StoreCollection; readonly key: string }
  | { readonly type: 'lost'; readonly collection: StoreCollection; readonly key: string; /** the problem's message */ readonly message: string };

/** What one frame holds: a whole commit batch (or a slice of a compaction snapshot). */
export interface JournalBatch {
  /** The new header as JSON text, or undefined to keep the current one. */
  readonly headerText: string | undefined;
  readonly entries: readonly JournalEntry[];
}

/** A manifest entry: what changed where, without the value. */
export type ManifestEntry = readonly [JournalEntry['type'], StoreCollection, string];

/** The first part of a frame's payload: which keys the frame touches. */
export interface JournalManifest {
  readonly header: boolean;
  readonly operations: readonly ManifestEntry[];
}

/** A batch as bytes: the manifest (JSON) and the values (one JSON text per line). */
export interface EncodedJournalBatch {
  readonly batch: JournalBatch;
  readonly manifest: Uint8Array;
  readonly values: Uint8Array;
}

const encoder = new TextEncoder();
const entryTypes: ReadonlySet<string> = new Set(['put', 'delete', 'lost']);

/**
 * Encodes a commit batch for the journal. Values are turned into JSON text here, at the call, so
 * a caller that changes an object after `commit` changes nothing stored. A value that is not JSON,
 * or an unknown collection, is a `StoreFailed` error naming where it was; nothing is written.
 *
 * @example
 * ```ts
 * const encoded = encodeStoreBatch({ operations: [{ type: 'delete', collection: 'tasks', key: '1' }], durability: 'strict' });
 * ```
 */
export function encodeStoreBatch(batch: StoreBatch): EncodedJournalBatch | BgSessionError {
  let headerText: string | undefined;
  if (batch.header !== undefined) {
    headerText = jsonText(batch.header);
    if (headerText === undefined) return notJson('header');
  }
  const entries: JournalEntry[] = [];
  for (const operation of batch.operations) {
    if (!journalCollections.includes(operation.collection)) {
      const collection = String(operation.collection);
      return new BgSessionError('StoreFailed', `Unknown store collection "${collection}"; nothing was written.`, { path: collection });
    }
    if (operation.type === 'delete') {
      entries.push({ type: 'delete', collection: operation.collection, key: operation.key });
      continue;
    }
    const text = jsonText(operation.value);
    if (text === undefined) return notJson(`${operation.collection}/${operation.key}`);
    entries.push({ type: 'put', collection: operation.collection, key: operation.key, text });
  }
  return encodeJournalBatch({ headerText, entries });
}

/**
 * Encodes a journal batch as a frame's manifest and values.
 *
 * @example
 * ```ts
 * const { manifest, values } = encodeJournalBatch({ headerText: '{"h":1}', entries: [] });
 * ```
 */
export function encodeJournalBatch(batch: JournalBatch): EncodedJournalBatch {
  const operations: ManifestEntry[] = batch.entries.map((entry) => [entry.type, entry.collection, entry.key]);
  const manifest: JournalManifest = { header: batch.headerText !== undefined, operations };
  // JSON.stringify never writes a raw line break, so a newline separates values unambiguously.
  return { batch, manifest: encoder.encode(JSON.stringify(manifest)), values: encoder.encode(valueTexts(batch).join('\n')) };
}

/**
 * The lines of a batch's values section, in order: the header's text when there is one, then the
 * text of each put and the message (as a JSON string) of each lost record; deletes have none.
 *
 * @example
 * ```ts
 * valueTexts({ headerText: undefined, entries: [{ type: 'put', collection: 'tasks', key: '1', text: '{}' }] }); // ['{}']
 * ```
 */
export function valueTexts(batch: JournalBatch): string[] {
  const lines: string[] = [];
  if (batch.headerText !== undefined) lines.push(batch.headerText);
  for (const entry of batch.entries) {
    if (entry.type === 'put') lines.push(entry.text);
    else if (entry.type === 'lost') lines.push(JSON.stringify(entry.message));
  }
  return lines;
}

/**
 * Decodes a manifest's bytes, or null when they are not a manifest this version wrote.
 *
 * @example
 * ```ts
 * decodeJournalManifest(new TextEncoder().encode('{"header":false,"operations":[]}'));
 * ```
 */
export function decodeJournalManifest(bytes: Uint8Array): JournalManifest | null {
  const parsed = parseJson(bytes);
  if (parsed === undefined || typeof parsed !== 'object' || parsed === null) return null;
  const { header, operations } = parsed as { header?: unknown; operations?: unknown };
  if (typeof header !== 'boolean' || !Array.isArray(operations)) return null;
  for (const operation of operations as unknown[]) {
    if (!Array.isArray(operation) || operation.length !== 3) return null;
    const [type, collection, key] = operation as unknown[];
    if (typeof type !== 'string' || !entryTypes.has(type)) return null;
    if (!journalCollections.includes(collection as StoreCollection) || typeof key !== 'string') return null;
  }
  return { header, operations: operations as ManifestEntry[] };
}

/**
 * Joins a manifest with its values' bytes into a batch, or null when the values do not match it
 * (wrong count, invalid UTF-8, a `lost` message that is not a JSON string). Put values stay JSON
 * text: they are parsed once, at the end of a replay, and only if they are still live.
 *
 * @example
 * ```ts
 * const batch = decodeJournalValues(manifest, valuesBytes);
 * ```
 */
export function decodeJournalValues(manifest: JournalManifest, bytes: Uint8Array): JournalBatch | null {
  const text = decodeUtf8(bytes);
  if (text === undefined) return null;
  let expected = manifest.header ? 1 : 0;
  for (const [type] of manifest.operations) if (type !== 'delete') expected += 1;
  const lines = expected === 0 ? [] : text.split('\n');
  if (lines.length !== expected || (expected === 0 && text !== '')) return null;
  let next = 0;
  const headerText = manifest.header ? lines[next++] : undefined;
  const entries: JournalEntry[] = [];
  for (const [type, collection, key] of manifest.operations) {
    if (type === 'delete') {
      entries.push({ type, collection, key });
      continue;
    }
    const line = lines[next++] as string;
    if (type === 'put') {
      entries.push({ type, collection, key, text: line });
      continue;
    }
    const message = parseText(line);
    if (typeof message !== 'string') return null;
    entries.push({ type, collection, key, message });
  }
  return { headerText, entries };
}

function jsonText(value: unknown): string | undefined {
  try {
    // JSON.stringify returns undefined for undefined, functions and symbols.
    return JSON.stringify(value) as string | undefined;
  } catch {
    return undefined; // cycles, BigInt
  }
}

function notJson(path: string): BgSessionError {
  return new BgSessionError('StoreFailed', `The value at ${path} is not JSON-compatible; nothing was written.`, { path });
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  return text === undefined ? undefined : parseText(text);
}
