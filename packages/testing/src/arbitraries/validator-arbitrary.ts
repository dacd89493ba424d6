import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { Validator } from '@bgsession/core';

/**
 * Cache validators (`Validator`): strong and weak ETags, strong and weak Last-Modified dates.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(validatorArbitrary(), (validator) => validator.value.length > 0));
 * ```
 */
export function validatorArbitrary(): fc.Arbitrary<Validator> {
  return fc.oneof(
    plainRecord({
      type: fc.constant('etag' as const),
      value: fc.stringMatching(/^"[0-9a-z-]{1,20}"$/),
      weak: fc.boolean(),
    }),
    plainRecord({
      type: fc.constant('lastModified' as const),
      value: fc.date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true }).map((date) => date.toUTCString()),
      strong: fc.boolean(),
    }),
  );
}
