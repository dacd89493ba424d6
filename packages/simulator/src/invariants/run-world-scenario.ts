import type { Session } from '@bgsession/core';
import { createContentPattern, type ContentPattern } from '../servers/content-pattern.js';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { World } from '../world/world-types.js';
import type { WorldScenario } from './world-arbitrary.js';

/** What {@link runWorldScenario} leaves: the world after the run, and whether it settled. */
export interface ScenarioRun {
  readonly world: World;
  /** A process runs at the end: every task had hours of virtual time, after the last fault, to end. */
  readonly settled: boolean;
}

/** The origin of a scenario's files (`/file-<n>.bin`), downloaded to `/downloads/file-<n>.bin`. */
export const scenarioOrigin = 'https://files.example';

const MiB = 1024 * 1024;
const limit = 6 * 60 * 60 * 1000;
let sharedPattern: ContentPattern | null = null;

/**
 * Builds the world a {@link WorldScenario} describes (its files on one server, a session `app`
 * with a quick retry policy, 1 MiB checkpoints and the scenario's connection limit, one download
 * per file), schedules its faults, and runs until idle (at most 6 virtual hours). Every content is
 * built on one shared pattern, so runs allocate little.
 *
 * @example
 * ```ts
 * const { world, settled } = await runWorldScenario(scenario);
 * expect(world.violations({ settled })).toEqual([]);
 * ```
 */
export async function runWorldScenario(scenario: WorldScenario, planted?: PlantedWorldBugs): Promise<ScenarioRun> {
  sharedPattern ??= createContentPattern();
  const pattern = sharedPattern;
  const world = createWorld({ seed: scenario.seed, ...(planted === undefined ? {} : { planted }) });
  const server = world.server(scenarioOrigin);
  world.network.configureHost(new URL(scenarioOrigin).hostname, { latency: 40, bandwidth: 2 * MiB });
  scenario.files.forEach((file, index) => {
    server.file(`/file-${index}.bin`, {
      content: generatedContent({ seed: scenario.seed + index * 7919, length: file.length, pattern }),
      validator: file.validator,
      ranges: file.ranges,
      script: faultsByAttempt(file.faults),
    });
  });
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const session: Session = await world.openSession({
    identifier: 'app',
    configuration: {
      retry: { base: 1000, cap: 10_000 },
      checkpointBytes: MiB,
      timeoutForRequest: 10_000,
      maxConnectionsPerHost: scenario.maxConnectionsPerHost,
      ...(scenario.timeoutForResource === null ? {} : { timeoutForResource: scenario.timeoutForResource }),
    },
  });
  for (let index = 0; index < scenario.files.length; index += 1) {
    await session.download({ url: `${scenarioOrigin}/file-${index}.bin`, destination: { type: 'path', path: `/downloads/file-${index}.bin`, ifExists: 'replace' } });
  }
  world.schedule(scenario.faults);
  await world.runUntilIdle({ limit });
  return { world, settled: world.running };
}
