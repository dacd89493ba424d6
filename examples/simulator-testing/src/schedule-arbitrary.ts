import { crashPoints } from '@bgsession/core';
import type { ScheduledFault } from '@bgsession/simulator';
import fc from 'fast-check';

/** How far into the run (virtual ms) faults fall: the imports take about a second without any. */
const horizon = 4000;
const hour = 60 * 60 * 1000;

/** A kill or a power loss, at a virtual time or at the nth pass of a crash point. */
const crash: fc.Arbitrary<ScheduledFault> = fc.oneof(
  fc.record(
    { type: fc.constantFrom('kill' as const, 'powerLoss' as const), at: fc.integer({ min: 0, max: horizon }), relaunchAfter: fc.integer({ min: 0, max: 5000 }) },
    { requiredKeys: ['type', 'at'] },
  ),
  fc.record({ type: fc.constantFrom('kill' as const, 'powerLoss' as const), point: fc.constantFrom(...crashPoints), pass: fc.integer({ min: 1, max: 20 }) }),
);

/** A fault that is not a crash: the network goes away, the process is suspended, the disk fills up, the wall clock jumps. */
const trouble: fc.Arbitrary<ScheduledFault> = fc.oneof(
  fc.record({ from: fc.integer({ min: 0, max: horizon }), length: fc.integer({ min: 100, max: 10_000 }) }).map(({ from, length }): ScheduledFault => ({ type: 'partition', from, until: from + length })),
  fc.record({ from: fc.integer({ min: 0, max: horizon }), length: fc.integer({ min: 100, max: 10_000 }) }).map(({ from, length }): ScheduledFault => ({ type: 'suspend', from, until: from + length })),
  fc.record({ from: fc.integer({ min: 0, max: horizon }), length: fc.integer({ min: 100, max: 10_000 }) }).map(({ from, length }): ScheduledFault => ({ type: 'diskFull', from, until: from + length })),
  // Within an hour either way: a jump past the resource timeout (7 days) would rightly fail the imports.
  fc.record({ at: fc.integer({ min: 0, max: horizon }), by: fc.integer({ min: -hour, max: hour }) }).map(({ at, by }): ScheduledFault => ({ type: 'clockJump', at, by })),
);

/**
 * Schedules of one to five faults, mostly crashes, for a run of the photo library. Every fault
 * ends (a partition, a suspension and a full disk each have an end), so every import can finish.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), scheduleArbitrary, async (seed, faults) => { ... }));
 * ```
 */
export const scheduleArbitrary: fc.Arbitrary<ScheduledFault[]> = fc.array(fc.oneof({ weight: 3, arbitrary: crash }, { weight: 1, arbitrary: trouble }), { minLength: 1, maxLength: 5 });
