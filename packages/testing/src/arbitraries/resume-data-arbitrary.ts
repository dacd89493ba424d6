import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { ResumeData, ResumeDataReference } from '@bgsession/core';
import { httpRequestArbitrary } from './http-request-arbitrary.js';
import { byteCountArbitrary, instantArbitrary, storeKeyArbitrary } from './scalar-arbitraries.js';
import { validatorArbitrary } from './validator-arbitrary.js';

/**
 * Decoded resume data (`ResumeData`); the bytes kept never pass a known expected length.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(resumeDataArbitrary(), (data) => data.version === 2));
 * ```
 */
export function resumeDataArbitrary(): fc.Arbitrary<ResumeData> {
  return plainRecord({
      version: fc.constant(2 as const),
      sessionIdentifier: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,23}$/),
      originalUrl: fc.webUrl({ withQueryParameters: true }),
      currentRequest: httpRequestArbitrary(),
      validator: fc.option(validatorArbitrary(), { nil: null }),
      bytesKept: byteCountArbitrary(),
      expectedLength: fc.option(byteCountArbitrary(), { nil: null }),
      partKey: storeKeyArbitrary(),
      bootIdentity: fc.uuid(),
      expiresAt: instantArbitrary(),
      credentialHeaders: fc.uniqueArray(fc.constantFrom('authorization', 'cookie', 'proxy-authorization', 'x-api-key')),
    })
    .map((data) =>
      data.expectedLength !== null && data.bytesKept > data.expectedLength ? { ...data, bytesKept: data.expectedLength } : data,
    );
}

/**
 * The store's references to bytes owned by resume data (`ResumeDataReference`).
 *
 * @example
 * ```ts
 * fc.sample(resumeDataReferenceArbitrary(), 1);
 * ```
 */
export function resumeDataReferenceArbitrary(): fc.Arbitrary<ResumeDataReference> {
  return plainRecord({
    partKey: storeKeyArbitrary(),
    expiresAt: instantArbitrary(),
    bytesKept: byteCountArbitrary(),
  });
}
