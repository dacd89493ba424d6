import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJournalStore, isBgSessionError, type FileSystem, type Store } from '@bgsession/core';
import { createSimulatorRandom } from '../random/simulator-random.js';
import { journalCrashPlanArbitrary, liveJournalCrashPlan } from './journal-crash.test-helpers.js';
import { createLossyDisk } from './lossy-disk.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);
const directory = '/sessions/photos';
const journal = `${directory}/journal`;

/** Kills and power losses between steps and at any disk call. */
const powerLossPlans = { between: ['kill', 'powerLoss'], during: ['kill', 'powerLoss'] } as const;

/** A journal the real store wrote (a few records), then bits flipped and maybe cut: records that decode and records that do not. */
const damagedJournal = fc
  .record({
    values: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 6 }),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: null }),
  });

/** The bytes of a journal holding `values` as task records, damaged as `damage` says. */
async function writtenJournal(damage: { readonly values: readonly unknown[]; readonly flips: ReadonlyArray<readonly [number, number]>; readonly cut: number | null }): Promise<Uint8Array> {
  const disk = createLossyDisk({ random: createSimulatorRandom(1).fork('disk') });
  await disk.fs.mkdir('/sessions');
  await disk.fs.mkdir(directory);
  const store = createJournalStore({ fs: disk.fs, directory });
  await store.open();
  for (const [index, value] of damage.values.entries()) {
    await store.commit({ operations: [{ type: 'put', collection: 'tasks', key: String(index), value }], durability: 'strict' });
  }
  await store.close();
  const bytes = disk.readFile(journal) ?? new Uint8Array();
  for (const [at, mask] of damage.flips) if (bytes.length > 0) bytes[at % bytes.length] = ((bytes[at % bytes.length] as number) ^ mask) & 0xff;
  return damage.cut === null || bytes.length === 0 ? bytes : bytes.subarray(0, damage.cut % (bytes.length + 1));
}

/**
 * #17 over any bytes as the journal, torn by a power loss, with the journal Store `openStore`
 * builds: it opens to contents with typed problems or rejects with a typed error, and works after.
 */
function decodeNeverCrashes(openStore: (fs: FileSystem) => Store) {
  return fc.asyncProperty(
    fc.integer(),
    fc.oneof(fc.uint8Array({ maxLength: 4096 }), damagedJournal),
    fc.uint8Array({ maxLength: 2048 }),
    fc.option(fc.uint8Array({ maxLength: 1024 }), { nil: null }),
    async (seed, generated, unsynced, temporary) => {
      const durable = generated instanceof Uint8Array ? generated : await writtenJournal(generated);
      const disk = createLossyDisk({ random: createSimulatorRandom(seed).fork('disk') });
      await disk.fs.mkdir('/sessions');
      await disk.fs.mkdir(directory);
      await disk.fs.fsyncDir('/');
      await disk.fs.fsyncDir('/sessions');
      disk.writeFile(journal, durable);
      if (temporary !== null) disk.writeFile(`${directory}/journal.tmp`, temporary);
      const handle = await disk.fs.open(journal, { mode: 'a' });
      await handle.write(unsynced, 'append');
      disk.powerLoss();

      const store = openStore(disk.fs);
      const outcome = await store.open().then(
        (contents) => ({ contents }),
        (error: unknown) => ({ error }),
      );
      if ('error' in outcome) {
        expect(isBgSessionError(outcome.error), `open threw ${String(outcome.error)}`).toBe(true);
        return;
      }
      const { contents } = outcome;
      for (const problem of contents.problems) expect(['CorruptRecord', 'UnsupportedStoreVersion']).toContain(problem.code);
      for (const collection of ['tasks', 'outbox', 'resumeData'] as const) expect(contents.records.get(collection)).toBeInstanceOf(Map);
      if (contents.problems.some((problem) => problem.code === 'UnsupportedStoreVersion')) {
        await expect(store.commit({ operations: [], durability: 'strict' })).rejects.toMatchObject({ code: 'StoreFailed' });
        return;
      }
      await store.commit({ operations: [{ type: 'put', collection: 'tasks', key: 'after', value: 'open' }], durability: 'strict' });
      disk.powerLoss();
      const again = openStore(disk.fs);
      expect((await again.open()).records.get('tasks')?.get('after')).toBe('open');
    },
  );
}

/** A journal Store whose open lets what went wrong escape as a bare Error (the bug #17 must catch). */
function storeWithBareErrors(fs: FileSystem): Store {
  const inner = createJournalStore({ fs, directory });
  return {
    ...inner,
    async open() {
      try {
        const contents = await inner.open();
        if (contents.problems.length > 0) throw new Error(`undecodable: ${contents.problems[0]?.message ?? ''}`);
        return contents;
      } catch (error) {
        throw new Error(String(error));
      }
    },
  };
}

describe('the journal store on the lossy disk', () => {
  it('#17 decode, never crash: any bytes as the journal, torn by a power loss, open to contents with typed problems or a typed error, and the store works after', async () => {
    await fc.assert(decodeNeverCrashes((fs) => createJournalStore({ fs, directory })), { numRuns: runs });
  });

  it('#17 is able to fail: a store whose open lets an undecodable journal escape as a bare Error', async () => {
    const result = await fc.check(decodeNeverCrashes(storeWithBareErrors), { numRuns: 50, endOnFailure: true });
    expect(result.failed, 'the bare error went unnoticed').toBe(true);
  });

  it('#18 crash consistency: after a power loss that keeps, drops or garbles each unsynced write, reopening yields the state of some prefix of the committed operations, containing every commit that resolved in strict durability', async () => {
    await fc.assert(
      fc.asyncProperty(journalCrashPlanArbitrary(powerLossPlans), (plan) => liveJournalCrashPlan(plan, 'powerLoss')),
      { numRuns: runs },
    );
  });

  it('#18 crash consistency: a process kill loses nothing written, so every commit that resolved, strict or relaxed, is there at the next open', async () => {
    await fc.assert(
      fc.asyncProperty(journalCrashPlanArbitrary({ between: ['kill'], during: ['kill'] }), (plan) => liveJournalCrashPlan(plan, 'kill')),
      { numRuns: runs },
    );
  });

  it('#18 is able to fail: on a disk whose datasync lies (reports durable without syncing), a power loss takes a commit that resolved strict', async () => {
    const result = await fc.check(
      fc.asyncProperty(journalCrashPlanArbitrary(powerLossPlans), (plan) => liveJournalCrashPlan(plan, 'powerLoss', { lyingDatasync: true })),
      { numRuns: 200, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).not.toMatch(/disk calls/);
  });

  it('#18 is able to fail: on a disk whose directory sync lies, a power loss takes the journal a strict commit went to', async () => {
    const result = await fc.check(
      fc.asyncProperty(journalCrashPlanArbitrary(powerLossPlans), (plan) => liveJournalCrashPlan(plan, 'powerLoss', { lyingFsyncDir: true })),
      { numRuns: 200, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).not.toMatch(/disk calls/);
  });
});
