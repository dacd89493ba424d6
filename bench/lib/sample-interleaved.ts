import { performance } from 'node:perf_hooks';

/** Something to time: `run(iterations)` does the work that many times. */
export interface TimedContender {
  readonly name: string;
  run(iterations: number): void;
}

/** What `sampleInterleaved` measured: milliseconds per iteration, one sample per run. */
export interface InterleavedSamples {
  readonly name: string;
  readonly iterations: number;
  readonly msPerIteration: readonly number[];
}

/**
 * Times contenders against each other in the same process: each is warmed up and calibrated so one
 * run lasts about `targetMs`, then the runs are interleaved (the order rotates every round), so a
 * noisy neighbour or a CPU frequency change hits every contender alike.
 *
 * @example
 * ```ts
 * const [a, b] = sampleInterleaved([{ name: 'a', run: (n) => loopA(n) }, { name: 'b', run: (n) => loopB(n) }], { runs: 7, targetMs: 300 });
 * median(a.msPerIteration) / median(b.msPerIteration);
 * ```
 */
export function sampleInterleaved(contenders: readonly TimedContender[], options: { readonly runs: number; readonly targetMs: number }): InterleavedSamples[] {
  const iterations = contenders.map((contender) => calibrate(contender, options.targetMs));
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < options.runs; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      const contender = contenders[index] as TimedContender;
      const n = iterations[index] as number;
      const start = performance.now();
      contender.run(n);
      samples[index]?.push((performance.now() - start) / n);
    }
  }
  return contenders.map((contender, i) => ({ name: contender.name, iterations: iterations[i] as number, msPerIteration: samples[i] as number[] }));
}

/** Warms a contender up (doubling until a run lasts a quarter of the target) and sizes its runs. */
function calibrate(contender: TimedContender, targetMs: number): number {
  let n = 1;
  for (;;) {
    const start = performance.now();
    contender.run(n);
    const elapsed = performance.now() - start;
    if (elapsed >= targetMs / 4) return Math.max(1, Math.round((n * targetMs) / elapsed));
    n *= elapsed < targetMs / 64 ? 8 : 2;
  }
}
