import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { InvariantNumber, Violation } from './invariant-sentences.js';
import { runWorldScenario, type ScenarioRun } from './run-world-scenario.js';
import type { WorldScenario } from './world-arbitrary.js';

/** What {@link invariantReport} found: the violations of one invariant, and a message to fail with. */
export interface InvariantReport {
  readonly run: ScenarioRun;
  readonly violations: readonly Violation[];
  /** The violations, the seed, the scenario (to replay it) and the last 60 lines of the trace. */
  readonly report: string;
}

/**
 * Runs a scenario and reports what it broke of invariant `number`, with a message a reader can
 * act on.
 *
 * @example
 * ```ts
 * const { violations, report } = await invariantReport(6, scenario);
 * expect(violations, report).toEqual([]);
 * ```
 */
export async function invariantReport(number: InvariantNumber, scenario: WorldScenario, planted?: PlantedWorldBugs): Promise<InvariantReport> {
  const run = await runWorldScenario(scenario, planted);
  const violations = run.world.violations({ settled: run.settled }).filter((violation) => violation.invariant === number);
  const report = [
    `#${number} broken (seed ${scenario.seed}, settled: ${run.settled}):`,
    ...violations.slice(0, 5).map((violation) => `  ${violation.message}`),
    `scenario: ${JSON.stringify(scenario)}`,
    'trace tail:',
    run.world.trace.format(60),
  ].join('\n');
  return { run, violations, report };
}
