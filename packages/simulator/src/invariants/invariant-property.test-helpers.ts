import fc from 'fast-check';
import { expect } from 'vitest';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { invariantTitle, type InvariantNumber } from './invariant-sentences.js';
import { invariantReport } from './invariant-report.js';
import type { WorldScenario } from './world-arbitrary.js';

/**
 * The property "invariant `number` holds in every generated world", failing with the seed, the
 * scenario and the trace's tail; with `planted`, the same worlds with a bug planted in their ports.
 */
export function invariantProperty(number: InvariantNumber, scenarios: fc.Arbitrary<WorldScenario>, planted?: PlantedWorldBugs): fc.IAsyncPropertyWithHooks<[WorldScenario]> {
  return fc.asyncProperty(scenarios, async (scenario) => {
    const { violations, report } = await invariantReport(number, scenario, planted);
    expect(violations, report).toEqual([]);
  });
}

/** Checks that `planted` breaks invariant `number` in some generated world within `runs` runs (no shrinking). */
export async function plantedBugIsCaught(number: InvariantNumber, scenarios: fc.Arbitrary<WorldScenario>, planted: PlantedWorldBugs, runs = 25): Promise<void> {
  const result = await fc.check(invariantProperty(number, scenarios, planted), { numRuns: runs, endOnFailure: true });
  expect(result.failed, `${invariantTitle(number)}: the planted bug ${JSON.stringify(planted)} went unnoticed in ${runs} worlds`).toBe(true);
}
