import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCrashFileServer, type CrashFileServer } from './crash-file-server.test-helpers.js';
import { crashSummary, killsByLabel } from './crash-summary.test-helpers.js';
import { crashBytesPerSecond, crashFiles, crashWorkload } from './crash-workload.test-helpers.js';
import { killAllCrashChildren } from './launch-crash-child.test-helpers.js';
import { measureCleanRun, momentChooser, runCrashScenario, type CleanMeasure, type ScenarioResult } from './run-crash-scenario.test-helpers.js';

// faults.md C17, random moments: the harness SIGKILLs the child a seeded random delay after it
// opened its session, up to four times a run, then lets it finish. The delay is drawn within the
// clean launch's active time, so kills land mid-body, mid-commit, mid-delivery, anywhere.
// BGSESSION_CRASH_SEED=<seed> replays one seed's kill plan (the seed is in every failure message).
const killTarget = 8;
const killsPerRun = 4;
const maxRuns = 6;
const launchTimeoutMs = 30_000;
const replaySeed = process.env['BGSESSION_CRASH_SEED'];

let server: CrashFileServer;
let parent: string;
let measure: CleanMeasure | null = null;
let launches = 0;
const nextLaunch = (): number => (launches += 1);

beforeAll(async () => {
  server = await startCrashFileServer({ files: crashFiles, bytesPerSecond: crashBytesPerSecond, postDelayMs: 100 });
  parent = await mkdtemp(join(tmpdir(), 'bgsession-crash-moments-'));
  const clean = await measureCleanRun({ server, parent, workload: crashWorkload, launchTimeoutMs, nextLaunch });
  expect(clean.result.violations).toEqual([]);
  measure = clean.measure;
}, 60_000);

afterEach(async () => {
  await killAllCrashChildren();
});

afterAll(async () => {
  await killAllCrashChildren();
  await server.close();
  await rm(parent, { recursive: true, force: true });
});

describe('C17 random moments', () => {
  it(
    `#1 #2 #3 #6 #7 #13 hold after ${killTarget} SIGKILLs at seeded random moments and every relaunch`,
    async () => {
      if (measure === null) throw new Error('the clean launch measured nothing');
      const seeds = replaySeed === undefined ? Array.from({ length: maxRuns }, (_, run) => 2000 + run) : [Number(replaySeed)];
      const results: ScenarioResult[] = [];
      for (const seed of seeds) {
        const killed = killsByLabel(results).get('random moment') ?? 0;
        if (killed >= killTarget) break;
        const target = Math.min(killsPerRun, killTarget - killed);
        results.push(await runCrashScenario({ server, parent, seed, workload: crashWorkload, chooseKill: momentChooser(measure), killTarget: target, launchTimeoutMs, nextLaunch }));
      }
      console.log(crashSummary('random moments', results));
      expect(results.flatMap((result) => result.violations), 'replay: BGSESSION_CRASH_SEED=<seed> npx vitest run packages/node/src/crash/crash-random-moments.test.ts').toEqual([]);
      if (replaySeed === undefined) expect(killsByLabel(results).get('random moment') ?? 0).toBeGreaterThanOrEqual(killTarget);
    },
    180_000,
  );
});
