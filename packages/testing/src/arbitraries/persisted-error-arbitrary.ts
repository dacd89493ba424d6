import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import { errorCodes, type ErrorCode, type PersistedError } from '@bgsession/core';
import { headerMapArbitrary } from './http-request-arbitrary.js';
import { textArbitrary } from './scalar-arbitraries.js';

const codes = Object.keys(errorCodes) as ErrorCode[];

/**
 * Errors as persisted (`PersistedError`): any code of the table, with or without status, headers,
 * a body, a cause summary and resume data.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(persistedErrorArbitrary(), (error) => error.code in errorCodes));
 * ```
 */
export function persistedErrorArbitrary(): fc.Arbitrary<PersistedError> {
  return plainRecord({
    code: fc.constantFrom(...codes),
    message: textArbitrary(60),
    retryable: fc.boolean(),
    status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
    headers: fc.option(headerMapArbitrary(), { nil: null }),
    body: fc.option(textArbitrary(200), { nil: null }),
    cause: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
    bodyMayHaveBeenSent: fc.option(fc.boolean(), { nil: null }),
    resumeData: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/), { nil: null }),
  });
}
