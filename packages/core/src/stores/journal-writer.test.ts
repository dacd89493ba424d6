import { createManualClock } from '@bgsession/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileHandle, FileSystem } from '../ports/file-system.js';
import { encodeStoreBatch, type EncodedJournalBatch } from './journal-batch.js';
import { frameHeaderLength, frameLength, readFrameHeader } from './journal-frame.js';
import { JournalState } from './journal-state.js';
import { JournalWriter, relaxedSyncDelay } from './journal-writer.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

/** A write or sync the test decides when to finish (or fail). */
interface Step {
  readonly kind: 'write' | 'sync';
  /** For a sync: the file's length when it was called (what it makes durable). For a write: its end. */
  readonly covers: number;
  readonly finish: () => void;
  readonly fail: () => void;
}

/** A file handle whose writes land at once (the page cache) and whose writes and syncs end when the test says. */
function scriptedHandle() {
  let bytes = new Uint8Array(0);
  const open: Step[] = [];
  let durable = 0;
  function step(kind: Step['kind'], covers: number, onFinish: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Step = {
        kind,
        covers,
        finish: () => {
          open.splice(open.indexOf(entry), 1);
          onFinish();
          resolve();
        },
        fail: () => {
          open.splice(open.indexOf(entry), 1);
          reject(new BgSessionError('StoreFailed', `${kind} failed (EIO)`));
        },
      };
      open.push(entry);
    });
  }
  const handle: FileHandle = {
    read: async (position, length) => bytes.slice(position, position + length),
    write: (chunk, position) => {
      const at = position === 'append' ? bytes.length : position;
      const grown = new Uint8Array(Math.max(bytes.length, at + chunk.length));
      grown.set(bytes);
      grown.set(chunk, at);
      bytes = grown;
      return step('write', at + chunk.length, () => undefined);
    },
    datasync: () => {
      const covers = bytes.length;
      return step('sync', covers, () => (durable = Math.max(durable, covers)));
    },
    truncate: async (length) => {
      bytes = bytes.slice(0, length);
    },
    size: async () => bytes.length,
    close: async () => undefined,
  };
  return {
    handle,
    open,
    bytes: () => bytes,
    durable: () => durable,
  };
}

const noFileSystem = {} as FileSystem;
const paths = { directory: '/s', journal: '/s/journal', temporary: '/s/journal.tmp' };

function encoded(key: string): EncodedJournalBatch {
  const result = encodeStoreBatch({ operations: [{ type: 'put', collection: 'tasks', key, value: { key } }], durability: 'strict' });
  if (result instanceof BgSessionError) throw result;
  return result;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The keys of the frames in `bytes`, in file order. */
function framedKeys(bytes: Uint8Array): string[] {
  const keys: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const header = readFrameHeader(bytes, at);
    if (header === null) throw new Error(`no frame at ${at}`);
    const manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(at + frameHeaderLength, at + frameHeaderLength + header.manifestLength))) as {
      operations: Array<[string, string, string]>;
    };
    keys.push(...manifest.operations.map(([, , key]) => key));
    at += frameLength(header);
  }
  return keys;
}

type Action = { readonly type: 'commit'; readonly relaxed: boolean } | { readonly type: 'finish'; readonly pick: number } | { readonly type: 'timers' };

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ type: fc.constant('commit' as const), relaxed: fc.boolean() }),
  fc.record({ type: fc.constant('finish' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('timers' as const) }),
);

describe('JournalWriter', () => {
  it('#18 group commit with overlapping syncs: commits resolve in call order, a strict one only once a sync called after its write ends, and the file holds them in call order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArbitrary, { minLength: 1, maxLength: 40 }), async (actions) => {
        const file = scriptedHandle();
        const clock = createManualClock();
        const writer = new JournalWriter({ fs: noFileSystem, paths, handle: file.handle, state: new JournalState(), length: 0, clock, compaction: {} });
        const calls: Array<{ key: string; strict: boolean; end: number | null; resolvedAt: number | null }> = [];
        const order: string[] = [];
        let written = 0;
        const commit = (relaxed: boolean): void => {
          const key = `k${calls.length}`;
          const call = { key, strict: !relaxed, end: null as number | null, resolvedAt: null as number | null };
          calls.push(call);
          void writer.commit(encoded(key), relaxed ? 'relaxed' : 'strict').then(() => {
            call.resolvedAt = file.durable();
            order.push(key);
          });
        };
        const check = (): void => {
          const writes = file.open.filter((step) => step.kind === 'write').length;
          const syncs = file.open.filter((step) => step.kind === 'sync').length;
          expect(writes).toBeLessThanOrEqual(1);
          expect(syncs).toBeLessThanOrEqual(2);
        };
        for (const action of actions) {
          if (action.type === 'commit') commit(action.relaxed);
          else if (action.type === 'timers') clock.advance(relaxedSyncDelay);
          else if (file.open.length > 0) file.open[action.pick % file.open.length]?.finish();
          await settle();
          check();
        }
        // Let everything end: writes, syncs, and the sync relaxed commits are owed after their delay.
        for (let guard = 0; guard < 1000 && (file.open.length > 0 || order.length < calls.length || file.durable() < file.bytes().length); guard += 1) {
          if (file.open.length > 0) file.open[0]?.finish();
          else clock.advance(relaxedSyncDelay);
          await settle();
          check();
        }
        expect(order).toEqual(calls.map((call) => call.key));
        expect(framedKeys(file.bytes())).toEqual(calls.map((call) => call.key));
        // Where each commit's frame ends, from the frames in the file.
        for (let at = 0, index = 0; at < file.bytes().length; index += 1) {
          const header = readFrameHeader(file.bytes(), at);
          at += frameLength(header ?? { version: 1, manifestLength: 0, valuesLength: 0, durableBefore: 0, manifestCrc: 0, valuesCrc: 0 });
          written = at;
          const call = calls[index];
          if (call !== undefined) call.end = at;
        }
        for (const call of calls) {
          if (call.strict) expect(call.resolvedAt ?? -1).toBeGreaterThanOrEqual(call.end ?? Infinity);
        }
        expect(file.durable()).toBe(written);
      }),
      { numRuns: runs },
    );
  });

  it('a commit made while a sync runs is written and synced at once, without waiting for that sync', async () => {
    const file = scriptedHandle();
    const writer = new JournalWriter({ fs: noFileSystem, paths, handle: file.handle, state: new JournalState(), length: 0, clock: undefined, compaction: {} });
    let first = false;
    let second = false;
    void writer.commit(encoded('a'), 'strict').then(() => (first = true));
    await settle();
    file.open[0]?.finish(); // a's write
    await settle();
    expect(file.open.map((step) => step.kind)).toEqual(['sync']);
    void writer.commit(encoded('b'), 'strict').then(() => (second = true));
    await settle();
    file.open.find((step) => step.kind === 'write')?.finish(); // b's write, while a's sync runs
    await settle();
    expect(file.open.map((step) => step.kind)).toEqual(['sync', 'sync']);
    // b's sync ends first: it covers a too, so both resolve, in call order.
    file.open[1]?.finish();
    await settle();
    expect([first, second]).toEqual([true, true]);
    file.open[0]?.finish();
    await settle();
  });

  it('a failed sync fails every pending commit and the ones after it, and cuts what they wrote', async () => {
    const file = scriptedHandle();
    const writer = new JournalWriter({ fs: noFileSystem, paths, handle: file.handle, state: new JournalState(), length: 0, clock: undefined, compaction: {} });
    const a = writer.commit(encoded('a'), 'strict');
    await settle();
    file.open[0]?.finish();
    await settle();
    const b = writer.commit(encoded('b'), 'strict');
    await settle();
    file.open.find((step) => step.kind === 'write')?.finish();
    await settle();
    file.open[1]?.finish(); // b's sync: both durable, both resolve
    await settle();
    await expect(Promise.all([a, b])).resolves.toBeDefined();
    const length = file.bytes().length;
    const c = writer.commit(encoded('c'), 'strict');
    await settle();
    file.open.find((step) => step.kind === 'write')?.finish();
    await settle();
    file.open.find((step) => step.covers > length)?.fail();
    await expect(c).rejects.toMatchObject({ code: 'StoreFailed' });
    await expect(writer.commit(encoded('d'), 'strict')).rejects.toMatchObject({ code: 'StoreFailed' });
    for (const step of [...file.open]) step.finish();
    await expect(writer.finish()).rejects.toMatchObject({ code: 'StoreFailed' });
    expect(file.bytes().length).toBe(length);
  });
});
