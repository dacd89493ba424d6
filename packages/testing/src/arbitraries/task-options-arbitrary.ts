import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { Destination, TaskOptions } from '@bgsession/core';
import { byteCountArbitrary, durationArbitrary, instantArbitrary, integrityArbitrary } from './scalar-arbitraries.js';

/**
 * Download destinations (`Destination`): a path or a directory, with each `ifExists` rule.
 *
 * @example
 * ```ts
 * fc.sample(destinationArbitrary(), 1); // [{ type: 'path', path: '/downloads/a', ifExists: 'fail' }]
 * ```
 */
export function destinationArbitrary(): fc.Arbitrary<Destination> {
  const ifExists = fc.constantFrom('fail' as const, 'replace' as const, 'rename' as const);
  const path = fc.stringMatching(/^\/[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/);
  return fc.oneof(
    plainRecord({ type: fc.constant('path' as const), path, ifExists }),
    plainRecord({ type: fc.constant('directory' as const), directory: path, ifExists }),
  );
}

/**
 * Task options frozen at creation (`TaskOptions`). Destinations only when `withDestination`
 * (downloads).
 *
 * @example
 * ```ts
 * fc.sample(taskOptionsArbitrary({ withDestination: true }), 1);
 * ```
 */
export function taskOptionsArbitrary(options: { readonly withDestination?: boolean } = {}): fc.Arbitrary<TaskOptions> {
  return plainRecord({
    timeoutForRequest: durationArbitrary(),
    timeoutForResource: durationArbitrary(),
    allowsExpensiveNetwork: fc.boolean(),
    allowsConstrainedNetwork: fc.boolean(),
    discretionary: fc.boolean(),
    priority: fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }).map((p) => (Object.is(p, -0) ? 0 : p)),
    idempotent: fc.boolean(),
    integrity: fc.option(integrityArbitrary(), { nil: null }),
    earliestBeginDate: fc.option(instantArbitrary(), { nil: null }),
    countOfBytesClientExpectsToSend: fc.option(byteCountArbitrary(), { nil: null }),
    countOfBytesClientExpectsToReceive: fc.option(byteCountArbitrary(), { nil: null }),
    destination: options.withDestination === true ? fc.option(destinationArbitrary(), { nil: null }) : fc.constant(null),
    maxDataTaskBytes: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
  });
}
