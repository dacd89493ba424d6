import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../lib/bench-options.js';
import { median } from '../lib/median.js';
import { taskDrivers } from './task-drivers.js';

/** A way to start the V8 that runs the contenders: its name and its extra flags. */
export interface V8Setting {
  readonly label: string;
  readonly flags: readonly string[];
}

/**
 * The two V8 settings B6.1 and B6.2 run under. With V8's defaults, a fresh process driving XState's
 * `transition()` can hit a pathology of allocation-site pretenuring: short-lived objects go to the
 * old space and every scavenge gets slow (measured: the bare machine spends over half its time in
 * GC, and runs twice as fast with pretenuring off). Whether a contender hits it depends on its
 * allocation pattern, not on the work it does, so a ratio under one setting alone can flatter or
 * wrong bgsession: the goal must hold under both.
 */
export const v8Settings: readonly V8Setting[] = [
  { label: 'V8 defaults', flags: [] },
  { label: 'V8 --no-allocation-site-pretenuring', flags: ['--no-allocation-site-pretenuring'] },
];

/** What one contender's worker processes measured under one setting: one figure per run. */
export interface DriverSamples {
  readonly name: string;
  /** The phases of the B6.1 cycle, to check that every contender does the same work. */
  readonly trace: string;
  readonly lifecycleEnd: string;
  readonly nsPerTransition: readonly number[];
  readonly msPerLifecycle: readonly number[];
}

interface WorkerOutput {
  readonly name: string;
  readonly trace: string;
  readonly lifecycleEnd: string;
  readonly nsPerTransition: number[];
  readonly msPerLifecycle: number[];
}

const worker = fileURLToPath(new URL('./driver-worker.ts', import.meta.url));

function runWorker(setting: V8Setting, index: number, targetMs: number, slices: number): WorkerOutput {
  const args = [...process.execArgv, ...setting.flags, worker, String(index), String(targetMs), String(slices)];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`driver worker ${index} (${setting.label}) failed (${String(child.status ?? child.signal)}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as WorkerOutput;
}

/**
 * Times bgsession and the baselines of B6.1 and B6.2 under each V8 setting, every contender in a
 * fresh process per run, the contenders and settings alternating run after run (the order rotates).
 * Why processes: the bare XState machine and bgsession's task machine go through the same XState
 * functions, and in one process each one's shapes and allocation feedback change the other's speed
 * (measured: the bare machine ran twice as fast after bgsession had run in the same process). In
 * production a process drives one task machine; so does each worker here.
 *
 * @example
 * ```ts
 * const bySetting = sampleDriversIsolated(benchOptions());
 * const [bgsession, bare] = bySetting.get('V8 defaults') ?? [];
 * ```
 */
export function sampleDriversIsolated(options: BenchOptions): Map<string, DriverSamples[]> {
  const targetMs = options.quick ? 40 : 100;
  const slices = 3;
  const results = new Map<string, { output: WorkerOutput | null; transitions: number[]; lifecycles: number[] }[]>(
    v8Settings.map((setting) => [setting.label, taskDrivers.map(() => ({ output: null, transitions: [], lifecycles: [] }))]),
  );
  const jobs = v8Settings.flatMap((setting) => taskDrivers.map((_, index) => ({ setting, index })));
  for (let round = 0; round < options.runs; round++) {
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(k + round) % jobs.length];
      if (job === undefined) continue;
      const output = runWorker(job.setting, job.index, targetMs, slices);
      const slot = results.get(job.setting.label)?.[job.index];
      if (slot === undefined) continue;
      slot.output = output;
      slot.transitions.push(median(output.nsPerTransition));
      slot.lifecycles.push(median(output.msPerLifecycle));
    }
  }
  return new Map(
    [...results].map(([label, slots]) => [
      label,
      slots.map((slot) => ({
        name: slot.output?.name ?? '?',
        trace: slot.output?.trace ?? '',
        lifecycleEnd: slot.output?.lifecycleEnd ?? '',
        nsPerTransition: slot.transitions,
        msPerLifecycle: slot.lifecycles,
      })),
    ]),
  );
}
