import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invariantProperty } from './invariant-property.test-helpers.js';
import { runWorldScenario } from './run-world-scenario.js';
import { worldScenarioArbitrary } from './world-arbitrary.js';

describe('a failing world replays from its seed', () => {
  it('re-running the counterexample fast-check reports gives the same trace and the same violations', async () => {
    const planted = { transportStripsIfRange: true };
    const worlds = worldScenarioArbitrary({ crash: { type: 'kill', from: 300, to: 1_500 }, validators: ['etag'], minFiles: 2 });
    const first = await fc.check(invariantProperty(8, worlds, planted), { numRuns: 25, seed: 20_251_125, endOnFailure: true });
    const again = await fc.check(invariantProperty(8, worlds, planted), { numRuns: 25, seed: 20_251_125, endOnFailure: true });
    expect(first.failed).toBe(true);
    expect(again.counterexample).toEqual(first.counterexample);
    const [scenario] = first.counterexample ?? [];
    if (scenario === undefined) return;
    const runs = [await runWorldScenario(scenario, planted), await runWorldScenario(scenario, planted)];
    const [one, two] = runs.map(({ world, settled }) => ({ trace: world.trace.format(), violations: world.violations({ settled }) }));
    expect(two?.trace).toBe(one?.trace);
    expect(two?.violations).toEqual(one?.violations);
    expect(one?.violations.some((violation) => violation.invariant === 8)).toBe(true);
  });
});
