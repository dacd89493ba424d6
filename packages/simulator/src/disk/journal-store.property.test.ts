import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJournalStore, isBgSessionError } from '@bgsession/core';
import { createSimulatorRandom } from '../random/simulator-random.js';
import { journalCrashPlanArbitrary, liveJournalCrashPlan } from './journal-crash.test-helpers.js';
import { createLossyDisk } from './lossy-disk.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);
const directory = '/sessions/photos';
const journal = `${directory}/journal`;

/** Kills and power losses between steps and at any disk call. */
const powerLossPlans = { between: ['kill', 'powerLoss'], during: ['kill', 'powerLoss'] } as const;

describe('the journal store on the lossy disk', () => {
  it('#17 decode, never crash: any bytes as the journal, torn by a power loss, open to contents with typed problems or a typed error, and the store works after', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.uint8Array({ maxLength: 4096 }),
        fc.uint8Array({ maxLength: 2048 }),
        fc.option(fc.uint8Array({ maxLength: 1024 }), { nil: null }),
        async (seed, durable, unsynced, temporary) => {
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

          const store = createJournalStore({ fs: disk.fs, directory });
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
          const again = createJournalStore({ fs: disk.fs, directory });
          expect((await again.open()).records.get('tasks')?.get('after')).toBe('open');
        },
      ),
      { numRuns: runs },
    );
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
