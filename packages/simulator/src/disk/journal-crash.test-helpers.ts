import fc from 'fast-check';
import { createJournalStore, type JournalStore, type StoreBatch, type StoreContents } from '@bgsession/core';
import { createVirtualClock } from '../clock/virtual-clock.js';
import { createSimulatorRandom } from '../random/simulator-random.js';
import type { PlantedDiskBugs } from './disk-context.js';
import { createLossyDisk } from './lossy-disk.js';
import { applyStoreBatch, emptyStoreModel, sameStoreModel, storeBatchArbitrary, storeModelOf, type StoreModel } from './store-model.test-helpers.js';

type CrashKind = 'kill' | 'powerLoss';

/** Far more disk calls than any plan needs (about 20 per commit round). */
const maxCalls = 20_000;

/** One step of a session's life on the lossy disk. */
export type JournalStep =
  /** Commits called in one turn (they share group commits), then virtual time passes. */
  | { readonly kind: 'commits'; readonly batches: readonly StoreBatch[]; readonly advance: number }
  | { readonly kind: CrashKind };

/** A generated life of a journal store: its steps, a crash at some disk call, compaction settings. */
export interface JournalCrashPlan {
  readonly seed: number;
  readonly steps: readonly JournalStep[];
  /** The disk call (counting from the first open) at which the machine crashes, if it is reached. */
  readonly crashAt: { readonly call: number; readonly kind: CrashKind } | null;
  readonly compaction: { readonly minimumBytes: number; readonly growthFactor: number };
}

/**
 * Plans with crashes of the kinds given: `between` as steps (when every call has settled),
 * `during` at a disk call drawn at random (inside an open, a commit's write or sync, a compaction).
 */
export function journalCrashPlanArbitrary(kinds: { readonly between: readonly CrashKind[]; readonly during: readonly CrashKind[] }): fc.Arbitrary<JournalCrashPlan> {
  const commits = fc.record({
    kind: fc.constant('commits' as const),
    batches: fc.array(storeBatchArbitrary, { minLength: 1, maxLength: 4 }),
    // 50 ms is when the journal syncs what relaxed commits left unsynced.
    advance: fc.constantFrom(0, 10, 60, 200),
  });
  const crash = fc.record({ kind: fc.constantFrom(...kinds.between) });
  return fc.record({
    seed: fc.integer(),
    steps: fc.array(fc.oneof({ arbitrary: commits, weight: 5 }, { arbitrary: crash, weight: 1 }), { minLength: 1, maxLength: 10 }),
    crashAt: fc.option(fc.record({ call: fc.integer({ min: 1, max: 120 }), kind: fc.constantFrom(...kinds.during) }), { nil: null }),
    // Small thresholds, so that plans compact; 1.2 is below a snapshot's own framing overhead.
    compaction: fc.record({ minimumBytes: fc.constantFrom(256, 1024, 8192), growthFactor: fc.constantFrom(1.2, 2, 4) }),
  });
}

/**
 * Lives `plan` on a fresh lossy disk and checks, at each reopening after a crash, that the store
 * holds exactly the state of some prefix of the committed operations: after a kill, one holding
 * every commit that resolved; after a power loss, one holding every commit that resolved strict
 * (and what an earlier open read, which the journal syncs before it returns). The plan ends with
 * `ending`. Throws (an assertion) when a check fails.
 */
export async function liveJournalCrashPlan(plan: JournalCrashPlan, ending: CrashKind, planted: PlantedDiskBugs = {}): Promise<void> {
  const clock = createVirtualClock();
  const disk = createLossyDisk({ random: createSimulatorRandom(plan.seed).fork('disk'), clock, planted });
  await disk.fs.mkdir('/sessions');
  await disk.fs.fsyncDir('/');
  const make = (): JournalStore => createJournalStore({ fs: disk.fs, directory: '/sessions/photos', clock, compaction: plan.compaction });

  // states[i] is the state after the first i commits of the history that reached the disk.
  const states: StoreModel[] = [emptyStoreModel()];
  let durableFloor = 0; // no power loss may go below this prefix
  let resolvedFloor = 0; // no kill may go below this prefix
  let epoch = 0;
  let crashed: CrashKind | null = null;
  let calls = 0;
  const violations: string[] = [];
  let runaway: string | null = null;

  disk.onCall(() => {
    calls += 1;
    if (calls > maxCalls && runaway === null) {
      // A store that never stops calling the disk (a compaction that keeps compacting) would spin
      // on microtasks forever: kill it, so that its calls stop being answered, and report it.
      runaway = `the store made more than ${maxCalls} disk calls: it keeps working without being asked`;
      disk.kill();
    }
    if (plan.crashAt === null || calls !== plan.crashAt.call) return;
    crash(plan.crashAt.kind);
  });

  function crash(kind: CrashKind): void {
    // After a power loss, what only a kill would have kept is not owed any more.
    crashed = crashed === 'powerLoss' || kind === 'powerLoss' ? 'powerLoss' : 'kill';
    epoch += 1;
    if (kind === 'kill') disk.kill();
    else disk.powerLoss();
  }

  async function settled<T>(promise: Promise<T>): Promise<{ readonly value: T } | { readonly error: unknown } | null> {
    let outcome: { readonly value: T } | { readonly error: unknown } | null = null;
    promise.then(
      (value) => (outcome = { value }),
      (error: unknown) => (outcome = { error }),
    );
    await clock.advance(0);
    return outcome;
  }

  /** Opens the store after `crashed`, checks what it holds, and makes it the history's end. */
  async function recover(): Promise<JournalStore> {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 10) throw new Error('the store never opened after 10 crashes in a row');
      const kind = crashed;
      const store = make();
      const outcome = await settled(store.open());
      if (outcome === null) continue; // the crash point fell inside this open: recover again
      if ('error' in outcome) throw new Error(`reopening after a ${kind} failed: ${String(outcome.error)}`);
      const contents: StoreContents = outcome.value;
      if (contents.problems.length > 0) throw new Error(`reopening after a ${kind} reported ${JSON.stringify(contents.problems)}`);
      const floor = kind === 'powerLoss' ? durableFloor : Math.max(durableFloor, resolvedFloor);
      const seen = storeModelOf(contents);
      let prefix = -1;
      for (let j = floor; j < states.length; j += 1) if (sameStoreModel(states[j] as StoreModel, seen)) prefix = j;
      if (prefix < 0) throw new Error(`after a ${kind}, the store holds no prefix of the ${states.length - 1} commits with at least ${floor}: ${JSON.stringify([seen.header, [...seen.records]])}`);
      states.length = prefix + 1;
      durableFloor = prefix;
      resolvedFloor = prefix;
      crashed = null;
      return store;
    }
  }

  function commit(store: JournalStore, batch: StoreBatch): void {
    const index = states.length;
    states.push(applyStoreBatch(states[index - 1] as StoreModel, batch));
    const mine = epoch;
    store.commit(batch).then(
      () => {
        if (mine !== epoch) return; // resolved in the dying turn; the crash's checks judged without it
        resolvedFloor = Math.max(resolvedFloor, index);
        if (batch.durability === 'strict') durableFloor = Math.max(durableFloor, index);
      },
      (error: unknown) => violations.push(`commit ${index} rejected: ${String(error)}`),
    );
  }

  crashed = 'kill';
  let store = await recover();
  for (const step of plan.steps) {
    if (step.kind === 'commits') {
      for (const batch of step.batches) commit(store, batch);
      await clock.advance(step.advance);
    } else {
      crash(step.kind);
    }
    if (runaway !== null) throw new Error(runaway);
    if (crashed !== null) store = await recover();
  }
  crash(ending);
  await recover();
  if (violations.length > 0) throw new Error(violations.join('; '));
}
