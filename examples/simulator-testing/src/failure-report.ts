import type { ScheduledFault } from '@bgsession/simulator';
import type { LibraryRun } from './library-scenario.js';

/**
 * What a failing test prints: the seed and schedule that replay the run, what the database holds,
 * and the end of the world's trace. `runLibraryScenario({ seed, faults })` gives the same run again.
 *
 * @example
 * ```ts
 * expect(libraryProblems(run), failureReport(run, faults)).toEqual([]);
 * ```
 */
export function failureReport(run: LibraryRun, faults: readonly ScheduledFault[], traceLines = 60): string {
  return [
    `replay: runLibraryScenario({ seed: ${run.world.seed}, faults: ${JSON.stringify(faults)} })`,
    `database: ${JSON.stringify(run.contents)}`,
    `trace (last ${traceLines} lines):`,
    run.world.trace.format(traceLines),
  ].join('\n');
}
