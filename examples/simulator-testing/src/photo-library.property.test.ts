import fc from 'fast-check';
import { describe, it } from 'vitest';
import { failureReport } from './failure-report.js';
import { libraryProblems } from './library-problems.js';
import { runLibraryScenario } from './library-scenario.js';
import { scheduleArbitrary } from './schedule-arbitrary.js';

// Each run is a whole world (three downloads, their crashes and relaunches): a smaller default.
const numRuns = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 25);
// About 30 ms a run, and a failure shrinks through many more: the timeout grows with the runs.
const timeout = Math.max(30_000, numRuns * 300);

describe('the photo library under random schedules', () => {
  it('#2 one end, acknowledged once, and applied once by the app: one record per photo, as the server has it, whatever kills, power losses, partitions, suspensions, full disks and clock jumps fall where', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), scheduleArbitrary, async (seed, faults) => {
        const run = await runLibraryScenario({ seed, faults });
        const problems = libraryProblems(run);
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${failureReport(run, faults)}`);
      }),
      { numRuns },
    );
  }, timeout);
});
