import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crashPoints, type CrashPoint } from '@bgsession/core';
import { checkCrashRun } from './check-crash-run.test-helpers.js';
import type { CrashFileServer } from './crash-file-server.test-helpers.js';
import { createCrashRun, type CrashWorkload } from './crash-run.test-helpers.js';
import type { ChildExit, KillPlan } from './launch-crash-child.test-helpers.js';
import { seededRandom, type SeededRandom } from './seeded-random.test-helpers.js';

/** What a clean launch of a workload measured: the bounds kills are drawn within. */
export interface CleanMeasure {
  readonly counts: Readonly<Record<CrashPoint, number>>;
  /** From the child's `opened` line to its exit, ms. */
  readonly activeMs: number;
}

/** Picks the next kill of a run, from its seed; `previous` are the kills this run already made. */
export type KillChooser = (random: SeededRandom, previous: readonly KillPlan[]) => KillPlan;

/**
 * The label a kill is counted under in the summaries: the crash point's name, `random moment`, or
 * `POST in flight`.
 *
 * @example
 * ```ts
 * killLabel({ type: 'point', point: 'data-write', pass: 3 }); // 'data-write'
 * ```
 */
export function killLabel(kill: KillPlan): string {
  if (kill.type === 'point') return kill.point;
  if (kill.type === 'moment') return 'random moment';
  return kill.type === 'post' ? 'POST in flight' : 'none';
}

/** How one seeded run went. */
export interface ScenarioResult {
  readonly seed: number;
  readonly violations: readonly string[];
  /** Real SIGKILLs by label. */
  readonly kills: ReadonlyMap<string, number>;
  /** Kills planned that did not happen: the launch finished first. */
  readonly misses: number;
  readonly launches: number;
  /** Body bytes the server wrote for this run's downloads (some to sockets of children that died). */
  readonly bytesSent: number;
  readonly fileBytes: number;
  /** Resumed requests checked against the partial file's length, and bytes they asked for again. */
  readonly resumes: number;
  readonly refetchedBytes: number;
  /** The clean launch's exit, when `killTarget` was 0 (a measuring run). */
  readonly cleanExit: ChildExit | null;
}

/** What {@link runCrashScenario} takes. */
export interface ScenarioOptions {
  readonly server: CrashFileServer;
  /** A directory under which the run makes (and removes) its own. */
  readonly parent: string;
  readonly seed: number;
  readonly workload: CrashWorkload;
  readonly chooseKill: KillChooser;
  /** Kills to make before letting the run finish. */
  readonly killTarget: number;
  readonly launchTimeoutMs: number;
  readonly nextLaunch: () => number;
}

/**
 * One seeded run: launches the crash child with a kill drawn by `chooseKill` until `killTarget`
 * kills happened (or a launch finished first), then without one until it finishes, then the
 * final launch; checks everything {@link checkCrashRun} checks, with the seed in every violation.
 * Bounded: at most `killTarget + 3` launches.
 *
 * @example
 * ```ts
 * const result = await runCrashScenario({ server, parent, seed: 7, workload, chooseKill, killTarget: 2, launchTimeoutMs: 30_000, nextLaunch });
 * expect(result.violations).toEqual([]);
 * ```
 */
export async function runCrashScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { seed } = options;
  const random = seededRandom(seed);
  const root = await mkdtemp(join(options.parent, `seed-${seed}-`));
  try {
    return await runIn(root, options, random);
  } catch (error) {
    // A harness failure (a server that never saw a dead child's connections close...) names its seed too.
    throw new Error(`seed ${seed}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function runIn(root: string, options: ScenarioOptions, random: SeededRandom): Promise<ScenarioResult> {
  const { server, seed, workload } = options;
  const run = await createCrashRun({ server, root, name: `seed ${seed}`, workload, launchTimeoutMs: options.launchTimeoutMs, nextLaunch: options.nextLaunch });
  const kills = new Map<string, number>();
  const made: KillPlan[] = [];
  let misses = 0;
  for (let launch = 0; launch < options.killTarget + 3; launch += 1) {
    const kill: KillPlan = made.length < options.killTarget ? options.chooseKill(random, made) : { type: 'none' };
    const { exit } = await run.launch(kill);
    if (exit.signal === 'SIGKILL' && !exit.timedOut && kill.type !== 'none') {
      made.push(kill);
      kills.set(killLabel(kill), (kills.get(killLabel(kill)) ?? 0) + 1);
      continue;
    }
    if (exit.code === 0 && kill.type !== 'none') {
      misses += 1;
      if (process.env['BGSESSION_CRASH_DEBUG'] === '1') console.log(`seed ${seed}: missed ${JSON.stringify(kill)} after ${JSON.stringify(made)}; passes ${JSON.stringify(exit.counts)}`);
    }
    break;
  }
  const final = await run.finalLaunch();
  const check = checkCrashRun(run, server, final);
  const violations = check.violations.map((violation) => `seed ${seed}: ${violation}`);
  const ours = new Set(run.launches.map((launch) => launch.launch));
  const bytesSent = server.requests.filter((request) => ours.has(request.launch) && request.method === 'GET').reduce((sum, request) => sum + request.bytesWritten, 0);
  const fileBytes = workload.downloads.reduce((sum, key) => sum + (server.files.get(key)?.content.length ?? 0), 0);
  const only = run.launches.length === 1 ? (run.launches[0]?.exit ?? null) : null;
  return { seed, violations, kills, misses, launches: run.launches.length, bytesSent, fileBytes, resumes: check.resumes, refetchedBytes: check.refetchedBytes, cleanExit: options.killTarget === 0 ? only : null };
}

/**
 * Runs a workload once without a kill and returns what its launch measured (and the run's
 * violations, which a clean run must not have either).
 *
 * @example
 * ```ts
 * const { measure } = await measureCleanRun({ server, parent, workload, launchTimeoutMs: 30_000, nextLaunch });
 * ```
 */
export async function measureCleanRun(options: Omit<ScenarioOptions, 'seed' | 'chooseKill' | 'killTarget'>): Promise<{ measure: CleanMeasure | null; result: ScenarioResult }> {
  const result = await runCrashScenario({ ...options, seed: 0, chooseKill: () => ({ type: 'none' }), killTarget: 0 });
  const exit = result.cleanExit;
  const measure = exit?.counts === null || exit?.counts === undefined || exit.activeMs === null ? null : { counts: exit.counts, activeMs: exit.activeMs };
  return { measure, result };
}

/**
 * Kills at `point`, at a pass drawn within what the clean launch made there, divided by one more
 * than the kills this run already made: a relaunch has less left to do (and the relaunch after a
 * kill, its recovery, is where a kill finds the most), so later kills land earlier.
 *
 * @example
 * ```ts
 * const choose = pointChooser('data-write', measure);
 * ```
 */
export function pointChooser(point: CrashPoint, measure: CleanMeasure): KillChooser {
  return (random, previous) => ({ type: 'point', point, pass: random.between(1, Math.max(1, Math.ceil(measure.counts[point] / (previous.length + 1)))) });
}

/**
 * Kills at a moment drawn within 60 % of the clean launch's active time (from the child's `opened`
 * line), divided, like {@link pointChooser}'s passes, by one more than the kills already made.
 *
 * @example
 * ```ts
 * const choose = momentChooser(measure);
 * ```
 */
export function momentChooser(measure: CleanMeasure): KillChooser {
  return (random, previous) => ({ type: 'moment', delayMs: random.between(0, Math.max(1, Math.floor((measure.activeMs * 0.6) / (previous.length + 1)))) });
}

/**
 * Each kill at a named point (one the clean run passed) or at a random moment, drawn evenly.
 *
 * @example
 * ```ts
 * const choose = mixedChooser(measure);
 * ```
 */
export function mixedChooser(measure: CleanMeasure): KillChooser {
  const points = crashPoints.filter((point) => measure.counts[point] > 0);
  const moment = momentChooser(measure);
  return (random, previous) => {
    const index = random.between(0, points.length);
    const point = points[index];
    return point === undefined ? moment(random, previous) : pointChooser(point, measure)(random, previous);
  };
}
