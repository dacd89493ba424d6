import { BgSessionError } from '@bgsession/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invariantTitle } from '../invariants/invariant-sentences.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { deliveredCounts, described, destination, expectInvariants, expectQuietRelaunch, holdsContent, raceWorld, settled, url, type RaceWorld, type Settled } from './d-race-world.test-helpers.js';
import { driveWorld, ticks } from './d-scheduled-world.test-helpers.js';

// faults.md D24, the relaunch races: two relaunches at once, and two opens of one session at once,
// with fast-check's scheduler picking which call starts first and the second landing `delay`
// microtask turns after its release (0 to 400: the first's open and its first delivery take about
// 300). The network and the app's work on each event are the scheduler's tasks too
// (d-scheduled-world.test-helpers.ts); the virtual clock runs the rest.

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 20);
const minute = 60_000;
const seeds = fc.integer({ min: 1, max: 0x7fffffff });

/** Where the host is when it dies before the two relaunches: mid-transfer, or with both events committed and not delivered. */
const deaths = fc.constantFrom('transferring' as const, 'delivering' as const);
/** The later call of two lands up to 400 turns after the earlier: the first's open and its first delivery take about 300. */
const laterDelays = fc.nat({ max: 400 });

/** Runs the download until the host dies `when`; leaves the world with no process. */
async function dieWhile(raced: RaceWorld, s: fc.Scheduler, when: 'transferring' | 'delivering'): Promise<number> {
  const { world, session } = raced;
  const task = await session.download({ url, destination: { type: 'path', path: destination, ifExists: 'fail' } });
  if (when === 'delivering') world.schedule([{ type: 'kill', point: 'event-delivery', pass: 1, relaunchAfter: null }]);
  await driveWorld(world, s, { until: () => when === 'transferring' && world.clock.monotonic() >= 1_500, limit: 10 * minute });
  if (world.running) world.kill();
  return task.taskIdentifier;
}

/** Two calls, each a task of `s`; the second lands `delay` turns after its release. Records the order they started in. */
function twoAtOnce<T>(s: fc.Scheduler, label: string, delay: number, call: () => Promise<T>) {
  const started: number[] = [];
  const calls = [0, 1].map((index) =>
    settled(
      s
        .schedule(Promise.resolve(), `${label} ${index + 1}`)
        .then(() => ticks(index === 0 ? 0 : delay))
        .then(() => {
          started.push(index);
          return call();
        }),
    ),
  );
  const results: Array<Settled<T> | null> = [null, null];
  calls.forEach((call, index) => void call.then((result) => (results[index] = result)));
  return { started, results };
}

function twoRelaunches(acknowledgesFirst: boolean, observe: (landed: string) => void = () => undefined) {
  return fc.asyncProperty(fc.scheduler(), seeds, deaths, laterDelays, async (s, seed, when, delay) => {
    const raced = await raceWorld({ seed, s, acknowledgesFirst });
    const { world, content, app } = raced;
    const id = await dieWhile(raced, s, when);
    const { started, results } = twoAtOnce(s, 'relaunch', delay, () => world.relaunch());
    await driveWorld(world, s, { until: () => results.every((result) => result !== null) && app.ended(id) && world.session('app')?.tasks().length === 0, limit: 10 * minute });
    const context = described(world, s, { when, delay, started, results: results.map((result) => (result?.ok === false ? String(result.error) : result?.ok)) });

    // The later relaunch's process replaced the earlier's: it opened; the earlier one either had
    // opened before, or died while opening and said so.
    const [first, last] = started.map((index) => results[index]);
    expect(last?.ok, context).toBe(true);
    observe(first?.ok === true ? 'the first opened' : 'the first died opening');
    if (first?.ok === false) {
      expect(first.error, context).toBeInstanceOf(BgSessionError);
      expect(first.error, context).toMatchObject({ code: 'StoreFailed' });
    }
    expect(world.generation, context).toBe(3);
    // One outcome, each terminal event recorded by the app once, always under one eventId.
    expect(app.records.map((record) => `${record.type}:${record.error}`), context).toEqual(['downloadDidFinish:null', 'taskDidComplete:null']);
    for (const record of app.records) expect(new Set(app.deliveries.filter((seen) => seen.type === record.type).map((seen) => seen.eventId)), context).toEqual(new Set([record.eventId]));
    expect(holdsContent(world, destination, content), `${context}\nthe delivered file is not the server's`).toBe(true);
    expectInvariants(world, [1, 2, 3, 4, 5, 6, 7, 9], true, context);
    await expectQuietRelaunch(world, s, context);
  });
}

function twoOpens(planted?: PlantedWorldBugs) {
  return fc.asyncProperty(fc.scheduler(), seeds, laterDelays, async (s, seed, delay) => {
    const raced = await raceWorld({ seed, s, planted });
    const { world, server, content, app, session } = raced;
    const task = await session.download({ url, destination: { type: 'path', path: destination, ifExists: 'fail' } });
    await driveWorld(world, s, { until: () => world.clock.monotonic() >= 1_500, limit: minute });
    // The app closes the session (its tasks carry on at the next open), then opens it twice at once.
    const closing = settled(session.close());
    await driveWorld(world, s, { until: () => world.session('app') === undefined, limit: minute });
    expect((await closing).ok).toBe(true);
    const { results } = twoAtOnce(s, 'open', delay, () => world.openSession({ identifier: 'app', listener: app.listener, configuration: { retry: { base: 1000, cap: 10_000 } } }));
    await driveWorld(world, s, { until: () => results.every((result) => result !== null) && app.ended(task.taskIdentifier) && world.session('app')?.tasks().length === 0, limit: 10 * minute });
    const context = described(world, s, { delay, results: results.map((result) => (result?.ok === false ? String(result.error) : result?.ok)) });

    const opened = results.flatMap((result) => (result?.ok === true ? [result.value] : []));
    const refused = results.flatMap((result) => (result?.ok === false ? [result.error] : []));
    expect(opened, context).toHaveLength(1);
    expect(refused, context).toMatchObject([{ code: 'SessionInUse' }]);
    expect(refused[0], context).toBeInstanceOf(BgSessionError);
    expect(world.session('app'), context).toBe(opened[0]);
    expect(app.records.map((record) => `${record.type}:${record.error}`), context).toEqual(['downloadDidFinish:null', 'taskDidComplete:null']);
    expect([...deliveredCounts(world).values()], context).toEqual([1, 1]);
    expect(holdsContent(world, destination, content), `${context}\nthe delivered file is not the server's`).toBe(true);
    // One attempt before the close, one after it, from the kept bytes.
    const requests = server.requests.filter((request) => request.path === '/race.bin');
    expect(requests.map((request) => request.headers['range'] ?? null), context).toEqual([null, expect.stringMatching(/^bytes=[1-9]\d*-$/)]);
    expectInvariants(world, [1, 2, 3, 4, 5, 6, 7, 8, 9], true, context);
    await expectQuietRelaunch(world, s, context);
  });
}

describe('D24 relaunch races under fast-check scheduler', () => {
  it(`${invariantTitle(2)}, ${invariantTitle(1)}: two relaunches at once: the later one's process replaces the earlier's (which opened, or died opening with StoreFailed); one outcome, each event recorded once under one eventId`, async () => {
    await fc.assert(twoRelaunches(false), { numRuns: runs });
  });

  it(`${invariantTitle(2)}: two opens of the session at once: one opens, the other gets SessionInUse; the task ends once, from the kept bytes`, async () => {
    await fc.assert(twoOpens(), { numRuns: runs });
  });
});

describe('D24: the relaunch race is really run both ways', () => {
  const widen = 'the scheduler no longer reaches every side of the race: opening a session takes more microtask turns than `laterDelays` span';
  it('two relaunches at once: over 30 runs the first relaunch sometimes dies while opening, and sometimes opens before the second replaces it', async () => {
    const landed = new Set<string>();
    await fc.assert(twoRelaunches(false, (where) => landed.add(where)), { numRuns: 30, seed: 24 });
    expect([...landed].sort(), widen).toEqual(['the first died opening', 'the first opened']);
  });
});

describe('D24: each relaunch race property catches a planted bug', () => {
  const plantedRuns = 40;
  const caught = async <Ts extends unknown[]>(property: fc.IAsyncPropertyWithHooks<Ts>, what: string) => {
    const result = await fc.check(property, { numRuns: plantedRuns, endOnFailure: true });
    expect(result.failed, `${what} went unnoticed in ${plantedRuns} runs`).toBe(true);
  };

  it(`${invariantTitle(2)}: two relaunches at once catches an app that acknowledges before recording (seen only when the later relaunch kills the earlier process in between)`, async () => {
    await caught(twoRelaunches(true), 'the lost event');
  });

  it(`${invariantTitle(2)}: two opens at once catches a Store that drops acknowledgements (the quiet relaunch delivers again)`, async () => {
    await caught(twoOpens({ storeDropsAcknowledgements: true }), 'the redelivery');
  });
});
