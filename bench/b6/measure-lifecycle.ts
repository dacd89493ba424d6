import { measurement, type Measurement } from '../lib/measurement.js';
import type { DriverSamples, V8Setting } from './sample-drivers-isolated.js';

/**
 * B6.2: one whole task lifecycle in the pure core: `newTaskRecord`, then resume, slotGranted,
 * responseStarted, bytesDurable, a retryable attemptFailed, slotGranted, responseStarted (append),
 * bytesDurable, bodyEnded and handedOver. No store I/O. Goal: under 0.5 ms.
 *
 * @example
 * ```ts
 * printMeasurement(measureLifecycle(samples, v8Settings[0], 'a'));
 * ```
 */
export function measureLifecycle(samples: readonly DriverSamples[], setting: V8Setting, suffix: string): Measurement {
  for (const s of samples) if (s.lifecycleEnd !== 'succeeded') throw new Error(`${s.name} ended the lifecycle in ${s.lifecycleEnd}`);
  return measurement({
    id: `b6.2${suffix}`,
    title: `one whole task lifecycle (create + 10 events), pure core, no store I/O, ${setting.label}`,
    unit: 'ms/lifecycle',
    contenders: samples.map((s) => ({
      name: s.name,
      samples: s.msPerLifecycle,
      details: (median: number) => ({ 'lifecycles/s': Math.round(1000 / median).toLocaleString('en-US') }),
    })),
    goal: { subject: 'bgsession lifecycle', limit: 0.5, comparison: '<', unit: ' ms', value: (medians) => medians[0] ?? Number.NaN },
  });
}
