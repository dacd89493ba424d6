/** How big a run is: the full sizes that are reported, or the smoke sizes of `BENCH_QUICK=1`. */
export interface BenchOptions {
  /** `BENCH_QUICK=1`: smaller sizes and fewer runs, for a CI smoke pass. */
  readonly quick: boolean;
  /** How many timed runs each figure is the median of (`BENCH_RUNS` overrides). */
  readonly runs: number;
}

/**
 * The options of this run, from the environment.
 *
 * @example
 * ```ts
 * const { quick, runs } = benchOptions();
 * const tasks = quick ? 10_000 : 100_000;
 * ```
 */
export function benchOptions(): BenchOptions {
  const quick = process.env['BENCH_QUICK'] === '1' || process.env['BENCH_QUICK'] === 'true';
  const override = Number(process.env['BENCH_RUNS']);
  const runs = Number.isSafeInteger(override) && override > 0 ? override : quick ? 3 : 7;
  return { quick, runs };
}
