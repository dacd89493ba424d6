import fc from 'fast-check';
import { plainRecord } from './plain-record.js';
import type { DurableEventPayload, OutboxEntry } from '@bgsession/core';
import { persistedErrorArbitrary } from './persisted-error-arbitrary.js';
import { eventIdArbitrary, instantArbitrary } from './scalar-arbitraries.js';
import { dataResponseArbitrary } from './task-parts-arbitrary.js';

/**
 * Durable events (`DurableEventPayload`) of each type.
 *
 * @example
 * ```ts
 * fc.sample(durableEventPayloadArbitrary(), 1); // [{ type: 'taskDidComplete', taskIdentifier: 3, error: null, response: null }]
 * ```
 */
export function durableEventPayloadArbitrary(): fc.Arbitrary<DurableEventPayload> {
  const taskIdentifier = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
  return fc.oneof(
    plainRecord({
      type: fc.constant('downloadDidFinish' as const),
      taskIdentifier,
      location: fc.stringMatching(/^\/[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/),
      inStore: fc.boolean(),
    }),
    plainRecord({
      type: fc.constant('taskDidComplete' as const),
      taskIdentifier,
      error: fc.option(persistedErrorArbitrary(), { nil: null }),
      response: fc.option(dataResponseArbitrary(), { nil: null }),
    }),
    plainRecord({
      type: fc.constant('sessionDidBecomeInvalid' as const),
      error: fc.option(persistedErrorArbitrary(), { nil: null }),
    }),
  );
}

/**
 * Outbox entries as the store keeps them (`OutboxEntry`).
 *
 * @example
 * ```ts
 * fc.assert(fc.property(outboxEntryArbitrary(), (entry) => /^[0-9a-f]{32}$/.test(entry.eventId)));
 * ```
 */
export function outboxEntryArbitrary(): fc.Arbitrary<OutboxEntry> {
  return plainRecord({
    eventId: eventIdArbitrary(),
    sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    committedAt: instantArbitrary(),
    payload: durableEventPayloadArbitrary(),
  });
}
