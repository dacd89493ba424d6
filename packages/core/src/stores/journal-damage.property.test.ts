import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreCollection } from '../ports/store.js';
import { encodeJournalBatch, type JournalEntry } from './journal-batch.js';
import { encodeFrame } from './journal-frame.js';
import { replayJournal } from './journal-replay.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

const operation = fc.record({
  type: fc.constantFrom('put', 'put', 'delete'),
  collection: fc.constantFrom<StoreCollection>('tasks', 'outbox'),
  key: fc.constantFrom('1', '2', '3', '4'),
});
const commit = fc.record({ header: fc.boolean(), operations: fc.array(operation, { minLength: 1, maxLength: 3 }) });

/** The journal a store writes for `commits` (each synced before the next) and a clean close, and what it last wrote where. */
function journalOf(commits: ReadonlyArray<{ readonly header: boolean; readonly operations: ReadonlyArray<{ readonly type: string; readonly collection: StoreCollection; readonly key: string }> }>) {
  const frames: Uint8Array[] = [];
  let length = 0;
  let written = 0;
  let header: string | null = null;
  const latest = new Map<string, string | null>();
  const append = (headerText: string | undefined, entries: JournalEntry[]): void => {
    const encoded = encodeJournalBatch({ headerText, entries });
    const frame = encodeFrame(encoded.manifest, encoded.values, length);
    frames.push(frame);
    length += frame.length;
  };
  for (const { header: withHeader, operations } of commits) {
    const entries: JournalEntry[] = operations.map(({ type, collection, key }) => {
      written += 1;
      latest.set(`${collection}/${key}`, type === 'put' ? String(written) : null);
      return type === 'put' ? { type, collection, key, text: String(written) } : { type: 'delete', collection, key };
    });
    const headerText = withHeader ? `{"written":${written}}` : undefined;
    if (headerText !== undefined) header = headerText;
    append(headerText, entries);
  }
  append(undefined, []);
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const frame of frames) {
    bytes.set(frame, offset);
    offset += frame.length;
  }
  return { bytes, header, latest };
}

describe('journal damage (faults.md C19)', () => {
  it('#17 one flipped bit anywhere in a cleanly closed journal never brings back an older record: each record handed out is the last one written under its key, and a header that is not the last one written is reported', () => {
    fc.assert(
      fc.property(fc.array(commit, { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (commits, at, bit) => {
        const { bytes, header, latest } = journalOf(commits);
        const damaged = bytes.slice();
        const index = at % damaged.length;
        damaged[index] = (damaged[index] as number) ^ (1 << bit);
        const replay = replayJournal(damaged);
        const contents = replay.state.contents(replay.problems);
        for (const [collection, records] of contents.records) {
          for (const [key, value] of records) expect(String(value), `${collection}/${key}`).toBe(latest.get(`${collection}/${key}`));
        }
        const headerReported = contents.problems.some((problem) => problem.path === 'header');
        if (!headerReported) expect(contents.header === null ? null : JSON.stringify(contents.header)).toBe(header);
      }),
      { numRuns: runs },
    );
  });
});
