import { median } from './median.js';

/** One contender of a measurement: bgsession or a baseline, with every run's figure. */
export interface Contender {
  readonly name: string;
  /** One figure per timed run, in the measurement's unit. */
  readonly samples: readonly number[];
  /** The median of `samples`: the figure that is quoted. */
  readonly median: number;
  /** Further figures worth printing beside the median (e.g. transitions per second). */
  readonly details?: Readonly<Record<string, string>>;
}

/** A goal of benchmarks.md, checked against this run. */
export interface Goal {
  /** What is compared, in words (e.g. "bgsession / bare XState, time per transition"). */
  readonly subject: string;
  readonly value: number;
  readonly limit: number;
  /** `<=` or `<`: the value must be at most, or below, the limit. */
  readonly comparison: '<=' | '<';
  readonly unit: string;
  readonly pass: boolean;
}

/** One table of a benchmark: bgsession first, then the baselines measured in the same run. */
export interface Measurement {
  readonly id: string;
  readonly title: string;
  /** The unit of every sample; lower is better. */
  readonly unit: string;
  readonly contenders: readonly Contender[];
  /** The first contender's median divided by each other one's. */
  readonly ratios: Readonly<Record<string, number>>;
  readonly goal: Goal | null;
  readonly notes: readonly string[];
}

/** What `measurement` needs: contenders as raw samples, and how to check the goal. */
export interface MeasurementInput {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly contenders: ReadonlyArray<{ readonly name: string; readonly samples: readonly number[]; readonly details?: (median: number) => Readonly<Record<string, string>> }>;
  /** False when the contenders are variants of bgsession, not baselines: no ratios. Default true. */
  readonly compare?: boolean;
  /** Picks the value the goal is about, from the medians and ratios. */
  readonly goal?: Omit<Goal, 'value' | 'pass'> & { readonly value: (medians: readonly number[], ratios: Readonly<Record<string, number>>) => number };
  readonly notes?: readonly string[];
}

/**
 * Builds a measurement from its samples: medians, the ratio of the first contender (bgsession) to
 * each baseline, and PASS or MISS for the goal.
 *
 * @example
 * ```ts
 * const m = measurement({ id: 'b6.1', title: 'transitions', unit: 'ns', contenders: [{ name: 'bgsession', samples: [2, 3] }] });
 * m.contenders[0]?.median; // 2.5
 * ```
 */
export function measurement(input: MeasurementInput): Measurement {
  const contenders: Contender[] = input.contenders.map((c) => {
    const m = median(c.samples);
    return c.details === undefined ? { name: c.name, samples: c.samples, median: m } : { name: c.name, samples: c.samples, median: m, details: c.details(m) };
  });
  const first = contenders[0];
  const ratios: Record<string, number> = {};
  if (input.compare !== false) for (const other of contenders.slice(1)) if (first !== undefined) ratios[other.name] = first.median / other.median;
  let goal: Goal | null = null;
  if (input.goal !== undefined) {
    const value = input.goal.value(contenders.map((c) => c.median), ratios);
    const pass = input.goal.comparison === '<=' ? value <= input.goal.limit : value < input.goal.limit;
    goal = { subject: input.goal.subject, value, limit: input.goal.limit, comparison: input.goal.comparison, unit: input.goal.unit, pass };
  }
  return { id: input.id, title: input.title, unit: input.unit, contenders, ratios, goal, notes: input.notes ?? [] };
}
