import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { Checkpoint } from '@bgsession/core';
import { byteCountArbitrary } from './scalar-arbitraries.js';
import { validatorArbitrary } from './validator-arbitrary.js';

/**
 * Download checkpoints (`Checkpoint`); the offset never passes a known expected length.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(checkpointArbitrary(), (c) => c.expectedLength === null || c.offset <= c.expectedLength));
 * ```
 */
export function checkpointArbitrary(): fc.Arbitrary<Checkpoint> {
  return plainRecord({
      offset: byteCountArbitrary(),
      validator: fc.option(validatorArbitrary(), { nil: null }),
      expectedLength: fc.option(byteCountArbitrary(), { nil: null }),
      bootIdentity: fc.uuid(),
    })
    .map((checkpoint) =>
      checkpoint.expectedLength !== null && checkpoint.offset > checkpoint.expectedLength
        ? { ...checkpoint, offset: checkpoint.expectedLength }
        : checkpoint,
    );
}
