import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { StoreHeader } from '@bgsession/core';
import { configurationArbitrary } from './configuration-arbitrary.js';

/**
 * Store headers (`StoreHeader`) whose configuration names the same session.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(storeHeaderArbitrary(), (h) => h.identifier === h.configuration.identifier));
 * ```
 */
export function storeHeaderArbitrary(): fc.Arbitrary<StoreHeader> {
  return plainRecord({
    configuration: configurationArbitrary(),
    highestTaskIdentifier: fc.oneof(fc.nat({ max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    highestSequence: fc.oneof(fc.nat({ max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    lifecycle: fc.constantFrom('active' as const, 'finishing' as const, 'invalidated' as const),
  }).map((header) => ({ ...header, identifier: header.configuration.identifier }));
}
