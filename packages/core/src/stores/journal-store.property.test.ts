import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreBatch, StoreCollection, StoreContents, StoreOperation } from '../ports/store.js';
import { createJournalTestDisk, type Fate, type JournalTestDisk } from './journal-disk.test-helpers.js';
import { createJournalStore, type JournalStore } from './journal-store.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);
const directory = '/sessions/photos';
const journal = `${directory}/journal`;
const collections: readonly StoreCollection[] = ['tasks', 'outbox', 'resumeData'];

const keyArbitrary = fc.oneof(fc.constantFrom('1', '2', '3'), fc.string({ maxLength: 4 }));
const operationArbitrary: fc.Arbitrary<StoreOperation> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), collection: fc.constantFrom(...collections), key: keyArbitrary, value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ type: fc.constant('delete' as const), collection: fc.constantFrom(...collections), key: keyArbitrary }),
);
const batchArbitrary: fc.Arbitrary<StoreBatch> = fc.record({
  header: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
  operations: fc.array(operationArbitrary, { maxLength: 4 }),
  durability: fc.constant('strict' as const),
});

/** A store's state as JSON texts, so that values compare as the journal stores them. */
interface Model {
  header: string | null;
  readonly records: Map<StoreCollection, Map<string, string>>;
}

function emptyModel(): Model {
  return { header: null, records: new Map(collections.map((c) => [c, new Map<string, string>()])) };
}

function applyBatch(model: Model, batch: StoreBatch): void {
  // A header of JSON null reads back as null, which is also "no header": the port cannot tell them apart.
  if (batch.header !== undefined) model.header = batch.header === null ? null : JSON.stringify(batch.header);
  for (const operation of batch.operations) {
    const records = model.records.get(operation.collection) as Map<string, string>;
    if (operation.type === 'put') records.set(operation.key, JSON.stringify(operation.value));
    else records.delete(operation.key);
  }
}

function modelOf(contents: StoreContents): Model {
  const model = emptyModel();
  model.header = contents.header === null ? null : JSON.stringify(contents.header);
  for (const collection of collections) {
    for (const [key, value] of contents.records.get(collection) ?? []) model.records.get(collection)?.set(key, JSON.stringify(value));
  }
  return model;
}

const same = (a: Model, b: Model): boolean => JSON.stringify([a.header, [...a.records].map(([c, r]) => [c, [...r].sort()])]) === JSON.stringify([b.header, [...b.records].map(([c, r]) => [c, [...r].sort()])]);

async function diskWith(bytes: Uint8Array): Promise<JournalTestDisk> {
  const disk = createJournalTestDisk();
  await disk.fs.mkdir('/sessions');
  await disk.fs.mkdir(directory);
  await disk.writeFile(journal, bytes);
  return disk;
}

/** Opens `disk`'s journal, checks what #17 promises, and that the store still takes a commit. */
async function openNeverCrashes(disk: JournalTestDisk): Promise<StoreContents> {
  const store = createJournalStore({ fs: disk.fs, directory });
  const contents = await store.open();
  for (const problem of contents.problems) expect(['CorruptRecord', 'UnsupportedStoreVersion']).toContain(problem.code);
  for (const collection of collections) expect(contents.records.get(collection)).toBeInstanceOf(Map);
  if (contents.problems.some((p) => p.code === 'UnsupportedStoreVersion')) {
    await expect(store.commit({ operations: [], durability: 'strict' })).rejects.toMatchObject({ code: 'StoreFailed' });
    await store.close().catch(() => undefined);
    return contents;
  }
  await store.commit({ operations: [{ type: 'put', collection: 'tasks', key: 'after', value: 'open' }], durability: 'strict' });
  await store.close();
  const again = createJournalStore({ fs: disk.fs, directory });
  expect((await again.open()).records.get('tasks')?.get('after')).toBe('open');
  await again.close();
  return contents;
}

type Damage = { readonly kind: 'flip'; readonly at: number; readonly bit: number } | { readonly kind: 'cut'; readonly at: number } | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array };

const damageArbitrary: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

function damage(bytes: Uint8Array, what: Damage): Uint8Array {
  if (bytes.length === 0) return bytes;
  const at = what.at % bytes.length;
  if (what.kind === 'flip') {
    const copy = bytes.slice();
    copy[at] = (copy[at] as number) ^ (1 << what.bit);
    return copy;
  }
  if (what.kind === 'cut') return bytes.slice(0, at);
  return new Uint8Array([...bytes.subarray(0, at), ...what.bytes, ...bytes.subarray(at)]);
}

describe('journal store properties', () => {
  it('#17 decode, never crash: any bytes as the journal open to contents or typed problems, and the store works after', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await openNeverCrashes(await diskWith(bytes));
      }),
      { numRuns: runs },
    );
  });

  it('#17 decode, never crash: a damaged journal opens to typed problems, and never to a value nobody wrote', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArbitrary, { minLength: 1, maxLength: 8 }), fc.array(damageArbitrary, { minLength: 1, maxLength: 3 }), async (batches, damages) => {
        const disk = await diskWith(new Uint8Array());
        const store = createJournalStore({ fs: disk.fs, directory });
        await store.open();
        const written = new Set<string>();
        const headers = new Set<string>();
        for (const batch of batches) {
          await store.commit(batch);
          if (batch.header !== undefined) headers.add(JSON.stringify(batch.header));
          for (const operation of batch.operations) {
            if (operation.type === 'put') written.add(JSON.stringify([operation.collection, operation.key, JSON.stringify(operation.value)]));
          }
        }
        await store.close();
        let bytes = await disk.readFile(journal);
        for (const what of damages) bytes = damage(bytes, what);
        const contents = await openNeverCrashes(await diskWith(bytes));
        const loaded = modelOf(contents);
        if (loaded.header !== null) expect(headers).toContain(loaded.header);
        for (const [collection, records] of loaded.records) {
          for (const [key, text] of records) expect(written).toContain(JSON.stringify([collection, key, text]));
        }
      }),
      { numRuns: runs },
    );
  });

  it('#18 crash consistency: after kills and a power loss that keeps, drops or garbles each unsynced piece, reopening yields a prefix of the commits holding every one that resolved', async () => {
    await fc.assert(crashConsistency({}), { numRuns: runs });
  });

  it('#18 is able to fail: on a disk whose datasync lies, a power loss takes a commit that resolved', async () => {
    const result = await fc.check(crashConsistency({ lyingSyncs: true }), { numRuns: 200, endOnFailure: true });
    expect(result.failed).toBe(true);
  });
});

interface SessionPlan {
  readonly waves: readonly (readonly StoreBatch[])[];
  /** How many more mutating calls the process makes before it dies. */
  readonly freezeAfter: number;
}

const sessionArbitrary: fc.Arbitrary<SessionPlan> = fc.record({
  waves: fc.array(fc.array(batchArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
  freezeAfter: fc.nat({ max: 24 }),
});

/** Commits `plan`'s waves until the process "dies"; returns what was issued and how many resolved. */
async function runSession(disk: JournalTestDisk, store: JournalStore, plan: SessionPlan): Promise<{ issued: StoreBatch[]; acknowledged: number }> {
  disk.freezeAfter(plan.freezeAfter);
  const issued: StoreBatch[] = [];
  const resolved: boolean[] = [];
  for (const wave of plan.waves) {
    const promises = wave.map((batch) => {
      const index = issued.push(batch) - 1;
      resolved[index] = false;
      return store.commit(batch).then(() => {
        resolved[index] = true;
      });
    });
    // Everything on a memory disk settles within a turn, unless the process "died".
    await new Promise<void>((resolve) => setImmediate(resolve));
    const settled = await Promise.race([Promise.all(promises).then(() => true), Promise.resolve(false)]);
    if (!settled) break;
  }
  const acknowledged = resolved.indexOf(false) === -1 ? resolved.length : resolved.indexOf(false);
  // Commits resolve in call order.
  expect(resolved.slice(acknowledged).every((r) => !r)).toBe(true);
  return { issued, acknowledged };
}

/** The states of every prefix of `batches`. */
function prefixStates(batches: readonly StoreBatch[]): Model[] {
  const states = [emptyModel()];
  for (const batch of batches) {
    const next = emptyModel();
    const last = states[states.length - 1] as Model;
    next.header = last.header;
    for (const [collection, records] of last.records) for (const [key, text] of records) next.records.get(collection)?.set(key, text);
    applyBatch(next, batch);
    states.push(next);
  }
  return states;
}

/**
 * #18 as a property: a session commits in waves until its process dies at some call; optionally a
 * second session opens what the first left (unsynced writes still in the page cache), commits and
 * dies too; then the power goes, keeping, dropping or garbling each unsynced 512-byte piece.
 */
function crashConsistency(diskOptions: { readonly lyingSyncs?: boolean }) {
  return fc.asyncProperty(
    sessionArbitrary,
    fc.option(sessionArbitrary, { nil: null }),
    fc.array(fc.constantFrom<Fate>('keep', 'drop', 'garble'), { minLength: 1, maxLength: 16 }),
    async (first, second, fates) => {
      const disk = createJournalTestDisk(diskOptions);
      await disk.fs.mkdir('/sessions');
      const store = createJournalStore({ fs: disk.fs, directory });
      await store.open();
      const one = await runSession(disk, store, first);
      let sequence = one.issued;
      let mustHold = one.acknowledged;
      if (second !== null) {
        await store.fence();
        disk.freezeAfter(Infinity);
        // A low threshold, so that the second owner compacts too, reading the records it holds by
        // their place in the first owner's journal (ADR 29).
        const next = createJournalStore({ fs: disk.fs, directory, compaction: { minimumBytes: 256, growthFactor: 2 } });
        const seen = modelOf(await next.open());
        const states = prefixStates(one.issued);
        let p = -1;
        states.forEach((state, j) => {
          if (j >= one.acknowledged && same(state, seen)) p = j;
        });
        expect(p, 'the second owner sees a prefix of the first one\'s commits').toBeGreaterThanOrEqual(0);
        const two = await runSession(disk, next, second);
        sequence = [...one.issued.slice(0, p), ...two.issued];
        mustHold = two.acknowledged > 0 ? p + two.acknowledged : one.acknowledged;
      }

      const image = disk.crashImage(journal, (piece) => fates[piece % fates.length] as Fate);
      const reopened = createJournalStore({ fs: (await diskWith(image)).fs, directory });
      const contents = await reopened.open();
      await reopened.close();
      expect(contents.problems).toEqual([]);
      const loaded = modelOf(contents);
      const prefix = prefixStates(sequence).some((state, j) => j >= mustHold && same(state, loaded));
      expect(prefix, 'the reopened state is no prefix of the commits that holds every resolved one').toBe(true);
    },
  );
}
