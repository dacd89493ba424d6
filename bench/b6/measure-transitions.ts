import { measurement, type Measurement } from '../lib/measurement.js';
import type { DriverSamples, V8Setting } from './sample-drivers-isolated.js';

/**
 * B6.1: the task machine's pure transitions. Each contender sends the same realistic cycle of
 * events (`lifecycleEvents(cycleCheckpoints)`), rebuilding its state from data at rest before each
 * one as the runtime does; the figure is the time per transition. Goal: bgsession within 1.5x of
 * the bare XState machine, under each V8 setting.
 *
 * @example
 * ```ts
 * printMeasurement(measureTransitions(samples, v8Settings[0], 'a'));
 * ```
 */
export function measureTransitions(samples: readonly DriverSamples[], setting: V8Setting, suffix: string): Measurement {
  const traces = samples.map((s) => s.trace);
  // The baselines must take the very same transitions, or the ratio compares different work.
  if (new Set(traces).size !== 1) throw new Error(`the contenders disagree on the phases:\n${traces.join('\n')}`);
  const length = traces[0]?.split(' ').length ?? 0;
  return measurement({
    id: `b6.1${suffix}`,
    title: `task machine transitions (a ${length}-event download cycle, state rebuilt from data at rest each step), ${setting.label}`,
    unit: 'ns/transition',
    contenders: samples.map((s) => ({
      name: s.name,
      samples: s.nsPerTransition,
      details: (median: number) => ({ 'transitions/s': Math.round(1e9 / median).toLocaleString('en-US') }),
    })),
    goal: { subject: 'bgsession / bare XState (time per transition)', limit: 1.5, comparison: '<=', unit: 'x', value: (_m, ratios) => ratios['bare XState machine'] ?? Number.NaN },
    notes: setting.flags.length === 0 ? [`phases: ${traces[0] ?? ''}`, 'each contender runs alone in a fresh process per run, the contenders alternating (see sample-drivers-isolated.ts)'] : [],
  });
}
