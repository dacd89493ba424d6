import { isTerminalPhase, type Session } from '@bgsession/core';
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
 * per file), schedules its faults and the app's cancels into resume data, and runs until idle
 * (at most 6 virtual hours). Every content is built on one shared pattern, so runs allocate little.
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
  scenario.files.forEach((file, index) => {
    if (file.resumeDataAt === undefined) return;
    const url = `${scenarioOrigin}/file-${index}.bin`;
    // Not awaited: a kill may come in the middle, and then the app's calls never settle.
    world.clock.setTimer(Math.max(0, file.resumeDataAt - world.clock.monotonic()), () => void cancelIntoResumeData(world, url, `/downloads/file-${index}.bin`));
  });
  await world.runUntilIdle({ limit });
  return { world, settled: world.running };
}

/**
 * What an app does to pause a download the way `URLSession` apps do: cancels the URL's live task
 * producing resume data, then downloads from that resume data to the same path. Nothing when the
 * task has ended, no bytes were kept or no process runs; a call the core refuses (its session gone
 * with a kill, or resume data judged stale) is the app's to see, so it is traced, not thrown.
 */
async function cancelIntoResumeData(world: World, url: string, path: string): Promise<void> {
  const session = world.session('app');
  const task = session?.tasks().find((candidate) => candidate.info().originalRequest.url === url && !isTerminalPhase(candidate.info().phase));
  if (session === undefined || task === undefined) return;
  try {
    const resumeData = await task.cancelProducingResumeData();
    world.trace.add({ kind: 'note', text: `the app cancelled task ${task.taskIdentifier} ${resumeData === null ? 'with no resume data' : 'into resume data'}` });
    if (resumeData === null) return;
    const resumed = await session.download({ resumeData, destination: { type: 'path', path, ifExists: 'replace' } });
    world.trace.add({ kind: 'note', text: `the app downloads ${url} from resume data as task ${resumed.taskIdentifier}` });
  } catch (error) {
    world.trace.add({ kind: 'note', text: `the app's cancel into resume data of ${url} was refused: ${error instanceof Error ? error.message : String(error)}` });
  }
}
