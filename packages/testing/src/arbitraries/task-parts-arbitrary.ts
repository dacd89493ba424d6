import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { AttemptAccount, BodySource, DataResponse, HandOver, TaskProgress } from '@bgsession/core';
import { headerMapArbitrary } from './http-request-arbitrary.js';
import { byteCountArbitrary, integrityArbitrary, storeKeyArbitrary } from './scalar-arbitraries.js';

/**
 * Attempt accounting (`AttemptAccount`); never more attempts spent than started.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(attemptAccountArbitrary(), (a) => a.spent <= a.started));
 * ```
 */
export function attemptAccountArbitrary(): fc.Arbitrary<AttemptAccount> {
  return plainRecord({
      started: fc.nat({ max: 1000 }),
      spent: fc.nat({ max: 1000 }),
      backoffExponent: fc.nat({ max: 64 }),
      restartsInARow: fc.nat({ max: 4 }),
      staleRetryUsed: fc.boolean(),
      startRecorded: fc.boolean(),
      madeProgress: fc.boolean(),
    })
    .map((account) => ({ ...account, spent: Math.min(account.spent, account.started) }));
}

/**
 * Progress counters (`TaskProgress`); expected counts are -1 while unknown.
 *
 * @example
 * ```ts
 * fc.sample(taskProgressArbitrary(), 1);
 * ```
 */
export function taskProgressArbitrary(): fc.Arbitrary<TaskProgress> {
  const expected = fc.oneof(fc.constant(-1), byteCountArbitrary());
  return plainRecord({
    countOfBytesSent: byteCountArbitrary(),
    countOfBytesExpectedToSend: expected,
    countOfBytesReceived: byteCountArbitrary(),
    countOfBytesExpectedToReceive: expected,
  });
}

/**
 * Request bodies of uploads and data tasks (`BodySource`).
 *
 * @example
 * ```ts
 * fc.sample(bodySourceArbitrary(), 1);
 * ```
 */
export function bodySourceArbitrary(): fc.Arbitrary<BodySource> {
  return plainRecord({
    ref: storeKeyArbitrary(),
    owned: fc.boolean(),
    size: byteCountArbitrary(),
    mtimeMs: fc.option(
      fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true, noDefaultInfinity: true }).map((t) => (Object.is(t, -0) ? 0 : t)),
      { nil: null },
    ),
    identity: fc.option(fc.stringMatching(/^[0-9]{1,12}:[0-9]{1,12}$/), { nil: null }),
  });
}

/**
 * Recorded hand-overs (`HandOver`).
 *
 * @example
 * ```ts
 * fc.sample(handOverArbitrary(), 1);
 * ```
 */
export function handOverArbitrary(): fc.Arbitrary<HandOver> {
  return plainRecord({
    size: byteCountArbitrary(),
    hash: fc.option(integrityArbitrary(), { nil: null }),
    target: fc.stringMatching(/^\/[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/),
  });
}

/**
 * Data-task responses kept until delivery (`DataResponse`).
 *
 * @example
 * ```ts
 * fc.sample(dataResponseArbitrary(), 1);
 * ```
 */
export function dataResponseArbitrary(): fc.Arbitrary<DataResponse> {
  return plainRecord({
    status: fc.integer({ min: 100, max: 599 }),
    headers: headerMapArbitrary(),
    bodyKey: storeKeyArbitrary(),
    bodyLength: byteCountArbitrary(),
  });
}
