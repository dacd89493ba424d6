import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, type MachineInfo } from './machine-info.mjs';
import type { Measurement } from './measurement.js';

/** The JSON a benchmark leaves in `bench/results/<name>.json` for regression checks. */
export interface BenchResults {
  readonly benchmark: string;
  readonly quick: boolean;
  readonly runs: number;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly measurements: readonly Measurement[];
  /** Whether every goal of the benchmark passed in this run. */
  readonly pass: boolean;
}

const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/**
 * Writes a benchmark's results as `bench/results/<name>.json` (ignored by git) and returns the path.
 *
 * @example
 * ```ts
 * writeResults('b6', { quick: false, runs: 7, measurements });
 * ```
 */
export function writeResults(name: string, input: { readonly quick: boolean; readonly runs: number; readonly measurements: readonly Measurement[] }): string {
  const results: BenchResults = {
    benchmark: name.toUpperCase(),
    quick: input.quick,
    runs: input.runs,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    measurements: input.measurements,
    pass: input.measurements.every((m) => m.goal === null || m.goal.pass),
  };
  mkdirSync(resultsDirectory, { recursive: true });
  const path = join(resultsDirectory, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
