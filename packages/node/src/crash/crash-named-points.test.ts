import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crashPoints } from '@bgsession/core';
import { startCrashFileServer, type CrashFileServer } from './crash-file-server.test-helpers.js';
import { crashSummary, killsByLabel } from './crash-summary.test-helpers.js';
import { crashBytesPerSecond, crashFiles, crashWorkload } from './crash-workload.test-helpers.js';
import { killAllCrashChildren } from './launch-crash-child.test-helpers.js';
import { measureCleanRun, pointChooser, runCrashScenario, type CleanMeasure, type ScenarioResult } from './run-crash-scenario.test-helpers.js';

// faults.md C17, named points: the child SIGKILLs itself at the n-th pass through one crash point,
// n drawn from a seed within what a clean launch passed there; relaunched until it finishes.
// BGSESSION_CRASH_SEED=<seed> replays one seed (the seed is in every failure message).
const killsPerPoint = 2;
const maxRunsPerPoint = 6;
const launchTimeoutMs = 30_000;
const replaySeed = process.env['BGSESSION_CRASH_SEED'];

let server: CrashFileServer;
let parent: string;
let measure: CleanMeasure | null = null;
let clean: ScenarioResult;
let launches = 0;
const nextLaunch = (): number => (launches += 1);

beforeAll(async () => {
  server = await startCrashFileServer({ files: crashFiles, bytesPerSecond: crashBytesPerSecond, postDelayMs: 100 });
  parent = await mkdtemp(join(tmpdir(), 'bgsession-crash-points-'));
  ({ measure, result: clean } = await measureCleanRun({ server, parent, workload: crashWorkload, launchTimeoutMs, nextLaunch }));
}, 60_000);

afterEach(async () => {
  await killAllCrashChildren();
});

afterAll(async () => {
  await killAllCrashChildren();
  await server.close();
  await rm(parent, { recursive: true, force: true });
});

describe('C17 crash points', () => {
  it('a launch without a kill finishes every task, delivers each end once, and passes all six crash points', () => {
    expect(clean.violations).toEqual([]);
    expect(measure?.counts).toBeDefined();
    console.log(`C17 clean launch: ${JSON.stringify(measure?.counts)}, ${Math.round(measure?.activeMs ?? 0)} ms after opening`);
    for (const point of crashPoints) expect(measure?.counts[point], point).toBeGreaterThan(0);
  });

  it.each(crashPoints.map((point, index) => [point, index] as const))(
    '#1 #2 #3 #6 #7 hold after a SIGKILL at %s and every relaunch',
    async (point, index) => {
      if (measure === null) throw new Error('the clean launch measured nothing');
      const seeds = replaySeed === undefined ? Array.from({ length: maxRunsPerPoint }, (_, run) => 1000 + 100 * index + run) : [Number(replaySeed)];
      const results: ScenarioResult[] = [];
      for (const seed of seeds) {
        const killed = killsByLabel(results).get(point) ?? 0;
        if (killed >= killsPerPoint) break;
        results.push(
          await runCrashScenario({ server, parent, seed, workload: crashWorkload, chooseKill: pointChooser(point, measure), killTarget: killsPerPoint - killed, launchTimeoutMs, nextLaunch }),
        );
      }
      console.log(crashSummary(point, results));
      expect(results.flatMap((result) => result.violations), `replay: BGSESSION_CRASH_SEED=<seed> npx vitest run packages/node/src/crash/crash-named-points.test.ts -t ${point}`).toEqual([]);
      if (replaySeed === undefined) expect(killsByLabel(results).get(point) ?? 0).toBeGreaterThanOrEqual(killsPerPoint);
    },
    180_000,
  );
});
