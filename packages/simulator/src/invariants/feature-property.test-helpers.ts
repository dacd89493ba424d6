import fc from 'fast-check';
import { expect } from 'vitest';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { World } from '../world/world-types.js';
import { invariantTitle, type InvariantNumber, type Violation } from './invariant-sentences.js';

/** A run of a feature world: the world after it, and what it broke of the invariant under test. */
export interface FeatureRun {
  readonly world: World;
  readonly violations: readonly Violation[];
}

/** The property "`run` breaks nothing of invariant `number`", failing with the seed, the input and the trace's tail. */
export function featureProperty<T extends { readonly seed: number }>(
  number: InvariantNumber,
  inputs: fc.Arbitrary<T>,
  run: (input: T, planted: PlantedWorldBugs) => Promise<FeatureRun>,
  planted: PlantedWorldBugs = {},
): fc.IAsyncPropertyWithHooks<[T]> {
  return fc.asyncProperty(inputs, async (input) => {
    const { world, violations } = await run(input, planted);
    const report = [`#${number} broken (seed ${input.seed}):`, ...violations.slice(0, 5).map((violation) => `  ${violation.message}`), `input: ${JSON.stringify(input)}`, world.trace.format(40)].join('\n');
    expect(violations, report).toEqual([]);
  });
}

/** Checks that `planted` breaks invariant `number` in some generated input within `runs` runs. */
export async function featureBugIsCaught<T extends { readonly seed: number }>(
  number: InvariantNumber,
  inputs: fc.Arbitrary<T>,
  run: (input: T, planted: PlantedWorldBugs) => Promise<FeatureRun>,
  planted: PlantedWorldBugs,
  runs = 10,
): Promise<void> {
  const result = await fc.check(featureProperty(number, inputs, run, planted), { numRuns: runs, endOnFailure: true });
  expect(result.failed, `${invariantTitle(number)}: the planted bug ${JSON.stringify(planted)} went unnoticed in ${runs} runs`).toBe(true);
}
