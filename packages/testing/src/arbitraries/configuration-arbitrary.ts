import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import { alwaysSensitiveHeaders, type SessionConfiguration } from '@bgsession/core';
import { headerNameArbitrary } from './http-request-arbitrary.js';
import { durationArbitrary } from './scalar-arbitraries.js';

/**
 * Session identifiers that are also safe directory and database names.
 *
 * @example
 * ```ts
 * fc.sample(sessionIdentifierArbitrary(), 1); // ['uploads-2']
 * ```
 */
export function sessionIdentifierArbitrary(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,23}$/);
}

/**
 * Valid, fully resolved session configurations (`SessionConfiguration`): positive timeouts and
 * limits, a retry cap at least its base, lower-case unique header names.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(configurationArbitrary(), (c) => c.retry.cap >= c.retry.base));
 * ```
 */
export function configurationArbitrary(): fc.Arbitrary<SessionConfiguration> {
  return plainRecord({
    identifier: sessionIdentifierArbitrary(),
    timeoutForRequest: durationArbitrary(),
    timeoutForResource: durationArbitrary(),
    allowsExpensiveNetwork: fc.boolean(),
    allowsConstrainedNetwork: fc.boolean(),
    discretionary: fc.boolean(),
    maxConnectionsPerHost: fc.integer({ min: 1, max: 64 }),
    maxConcurrentTasks: fc.integer({ min: 1, max: 256 }),
    additionalHeaders: fc.dictionary(headerNameArbitrary(), fc.string({ maxLength: 30 }), { maxKeys: 3, noNullPrototype: true }),
    redirect: plainRecord({ maxHops: fc.nat({ max: 50 }), allowCrossOrigin: fc.boolean(), allowHttpsToHttp: fc.boolean() }),
    retry: plainRecord({
        base: fc.integer({ min: 1, max: 60_000 }),
        extra: fc.nat({ max: 3_600_000 }),
        maxAttempts: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
      })
      .map(({ base, extra, maxAttempts }) => ({ base, cap: base + extra, maxAttempts })),
    maxDataTaskBytes: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
    progressInterval: fc.nat({ max: 10_000 }),
    checkpointBytes: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
    checkpointInterval: durationArbitrary(),
    resumeDataLifetime: durationArbitrary(),
    // A resolved configuration always lists the three headers that are always sensitive first.
    sensitiveHeaders: fc
      .uniqueArray(headerNameArbitrary(), { maxLength: 4 })
      .map((names) => [...new Set([...alwaysSensitiveHeaders, ...names])]),
    persistSensitiveHeaders: fc.boolean(),
    callbackTimeout: durationArbitrary(),
  });
}
