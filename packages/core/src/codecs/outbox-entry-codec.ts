import type * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { DurableEventPayload, OutboxEntry } from '../model/outbox.js';
import { dataResponseCodec } from './data-response-codec.js';
import type { DecodeFailure } from './decode-error.js';
import { exactType } from './exact-codec.js';
import { nullable } from './nullable-codec.js';
import { persistedErrorCodec } from './persisted-error-codec.js';
import { eventId, instant, nonEmptyString, nonNegativeSafeInteger, taskIdentifier } from './primitives.js';
import { taggedUnion } from './tagged-union-codec.js';
import type { Assert, Equals } from './type-equality.js';
import { versionedRecord } from './versioned-record.js';

/** A durable event (`DurableEventPayload`), tagged on `type`. */
export const durableEventPayloadCodec = taggedUnion(
  {
    downloadDidFinish: exactType(
      {
        type: t.literal('downloadDidFinish'),
        taskIdentifier,
        location: nonEmptyString,
        inStore: t.boolean,
      },
      'a downloadDidFinish event',
    ),
    taskDidComplete: exactType(
      {
        type: t.literal('taskDidComplete'),
        taskIdentifier,
        error: nullable(persistedErrorCodec),
        response: nullable(dataResponseCodec),
      },
      'a taskDidComplete event',
    ),
    sessionDidBecomeInvalid: exactType(
      { type: t.literal('sessionDidBecomeInvalid'), error: nullable(persistedErrorCodec) },
      'a sessionDidBecomeInvalid event',
    ),
  },
  'a durable event',
);

/** An outbox entry (`OutboxEntry`), fields only; the stored form adds `schemaVersion`. */
export const outboxEntryCodec = exactType(
  {
    eventId,
    sequence: nonNegativeSafeInteger,
    committedAt: instant,
    payload: durableEventPayloadCodec,
  },
  'an outbox entry',
);

type _PayloadMatches = Assert<Equals<t.TypeOf<typeof durableEventPayloadCodec>, DurableEventPayload>>;
type _OutboxEntryMatches = Assert<Equals<t.TypeOf<typeof outboxEntryCodec>, OutboxEntry>>;

/** Stored outbox entries: `{ schemaVersion: 1, ...OutboxEntry }`; no older version was written. */
export const outboxEntries = versionedRecord({ name: 'an outbox entry', version: 1, codec: outboxEntryCodec, legacy: [] });

/**
 * An outbox entry as JSON-compatible data for the Store.
 *
 * @example
 * ```ts
 * const value = encodeOutboxEntry(entry); // { schemaVersion: 1, eventId: '...', ... }
 * ```
 */
export function encodeOutboxEntry(entry: OutboxEntry): Readonly<Record<string, unknown>> {
  return outboxEntries.encode(entry);
}

/**
 * Decodes a stored outbox entry; `at` (e.g. `outbox/7`) prefixes the failure's path. Never throws.
 *
 * @example
 * ```ts
 * decodeOutboxEntry(raw, 'outbox/7'); // Right(entry) or Left({ code, path, message })
 * ```
 */
export function decodeOutboxEntry(raw: unknown, at?: string): E.Either<DecodeFailure, OutboxEntry> {
  return outboxEntries.decode(raw, at);
}
