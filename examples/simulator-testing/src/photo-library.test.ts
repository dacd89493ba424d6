import { crashPoints, type CrashPoint } from '@bgsession/core';
import type { ScheduledFault } from '@bgsession/simulator';
import { describe, expect, it } from 'vitest';
import { failureReport } from './failure-report.js';
import { libraryProblems } from './library-problems.js';
import { runLibraryScenario } from './library-scenario.js';

const seed = 5;

// A run without faults tells how often each crash point is passed; a run with a fault at pass k
// is the same run up to that pass (the seed decides everything), so a crash at k <= count fires.
const baseline = await runLibraryScenario({ seed });
const passes = Object.fromEntries(crashPoints.map((point) => [point, baseline.world.crashPointCounts[point] - baseline.passesBeforeFaults[point]])) as Record<CrashPoint, number>;
// compaction-rename: the journal compacts past 1 MiB, far more than three photos write.
const passedPoints = crashPoints.filter((point) => passes[point] > 0);

/** Runs the scenario under `faults` and returns what went wrong, with the report to replay it. */
async function check(faults: readonly ScheduledFault[]): Promise<{ readonly problems: string[]; readonly report: string; readonly crashes: number }> {
  const run = await runLibraryScenario({ seed, faults });
  const crashes = run.world.trace.entries.filter((entry) => entry.kind === 'kill' || entry.kind === 'powerLoss').length;
  // Only a full disk makes the app restart by itself; a crash alone is recovered by the relaunch.
  const problems = run.appRestarts === 0 ? libraryProblems(run) : [`the app had to restart ${run.appRestarts} time(s)`, ...libraryProblems(run)];
  return { problems, report: failureReport(run, faults), crashes };
}

describe('the photo library', () => {
  it('records each photo once, as the server has it, when nothing goes wrong', () => {
    expect(libraryProblems(baseline), failureReport(baseline, [])).toEqual([]);
    expect(baseline.contents.photos.map((photo) => photo.name).sort()).toEqual(['photo-1.jpg', 'photo-2.jpg', 'photo-3.jpg']);
    expect(baseline.contents.appliedEventIds).toHaveLength(3);
  });

  it('passes every crash point but compaction-rename in this run, so the tests below crash at each of them', () => {
    expect(passedPoints).toEqual(crashPoints.filter((point) => point !== 'compaction-rename'));
  });

  describe.each(['kill', 'powerLoss'] as const)('a %s', (type) => {
    it.each(passedPoints)(`at each pass of %s leaves one record per photo, each event applied once, the invariants holding`, async (point: CrashPoint) => {
      for (let pass = 1; pass <= passes[point]; pass += 1) {
        const faults: ScheduledFault[] = [{ type, point, pass }];
        const { problems, report, crashes } = await check(faults);
        expect(crashes, `pass ${pass}: the crash did not happen\n${report}`).toBe(1);
        expect(problems, `pass ${pass}\n${report}`).toEqual([]);
      }
    });
  });

  it('keeps every record through a power loss after the last import, and a second crash during the recovery', async () => {
    const faults: ScheduledFault[] = [
      { type: 'powerLoss', point: 'handler-returned', pass: 2 },
      { type: 'kill', point: 'event-delivery', pass: 5 },
      { type: 'powerLoss', at: 60_000 },
    ];
    const { problems, report, crashes } = await check(faults);
    expect(crashes, report).toBe(3);
    expect(problems, report).toEqual([]);
  });

  it('without the eventId check, records a photo twice when a kill falls between the handler and the acknowledgement', async () => {
    const faults: ScheduledFault[] = [{ type: 'kill', point: 'handler-returned', pass: 1 }];
    const naive = await runLibraryScenario({ seed, faults, checkEventIds: false });
    // The session did its part: the event came back with the same eventId and was acknowledged once.
    const deliveries = naive.world.trace.ofKind('delivered').filter((entry) => entry.type === 'downloadDidFinish');
    const first = deliveries[0];
    expect(deliveries.filter((entry) => entry.eventId === first?.eventId)).toHaveLength(2);
    expect(naive.world.violations({ settled: true })).toEqual([]);
    // The app did not: the same import, applied twice.
    const twice = naive.contents.photos.filter((photo) => naive.contents.photos.filter((other) => other.name === photo.name).length > 1);
    expect(twice).toHaveLength(2);
    expect(libraryProblems(naive)).toEqual([`${twice[0]?.name} has 2 record(s), not 1.`, `event ${first?.eventId} was applied twice.`]);

    // The same run with the check: the redelivery is recognised and skipped.
    const checked = await runLibraryScenario({ seed, faults });
    expect(libraryProblems(checked), failureReport(checked, faults)).toEqual([]);
  });
});
