import type * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { StoreHeader } from '../model/store-header.js';
import { sessionConfigurationCodec } from './configuration-codec.js';
import type { DecodeFailure } from './decode-error.js';
import { exactType } from './exact-codec.js';
import { oneOf } from './one-of-codec.js';
import { nonEmptyString, nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';
import { checked } from './validated-codec.js';
import { versionedRecord } from './versioned-record.js';

/** The store header (`StoreHeader`), fields only; its configuration names the same session. */
export const storeHeaderCodec = checked(
  exactType(
    {
      identifier: nonEmptyString,
      configuration: sessionConfigurationCodec,
      highestTaskIdentifier: nonNegativeSafeInteger,
      highestSequence: nonNegativeSafeInteger,
      lifecycle: oneOf(['active', 'finishing', 'invalidated']),
    },
    'a store header',
  ),
  (header) => header.configuration.identifier === header.identifier,
  ['configuration', 'identifier'],
  'differs from the header identifier',
);

type _StoreHeaderMatches = Assert<Equals<t.TypeOf<typeof storeHeaderCodec>, StoreHeader>>;

/** Stored headers: `{ schemaVersion: 1, ...StoreHeader }`; no older version was written. */
export const storeHeaders = versionedRecord({ name: 'a store header', version: 1, codec: storeHeaderCodec, legacy: [] });

/**
 * The store header as JSON-compatible data for the Store.
 *
 * @example
 * ```ts
 * store.commit({ header: encodeStoreHeader(header), operations: [], durability: 'strict' });
 * ```
 */
export function encodeStoreHeader(header: StoreHeader): Readonly<Record<string, unknown>> {
  return storeHeaders.encode(header);
}

/**
 * Decodes a stored header; `at` (e.g. `header`) prefixes the failure's path. A header written by
 * a newer schema version is `UnsupportedStoreVersion`. Never throws.
 *
 * @example
 * ```ts
 * decodeStoreHeader(contents.header, 'header');
 * ```
 */
export function decodeStoreHeader(raw: unknown, at?: string): E.Either<DecodeFailure, StoreHeader> {
  return storeHeaders.decode(raw, at);
}
