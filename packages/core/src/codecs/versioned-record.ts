import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describeValue } from './describe-value.js';
import { joinPath, toDecodeFailure, type DecodeFailure } from './decode-error.js';
import { hasOwn, isPlainObject } from './plain-object.js';

/**
 * A schema version older than the current one: how to read it and bring it up to date. Build one
 * with `legacyVersion`.
 */
export interface LegacyVersion<A> {
  /** The version as written, or null for records written before they carried one (no key). */
  readonly version: number | null;
  /** Decodes the fields (the version key removed) and upgrades them to the current version. */
  readonly decode: (fields: unknown) => t.Validation<A>;
}

/**
 * A legacy version: `codec` reads its fields as they were written, `upgrade` turns them into the
 * current shape. Upgrades are total functions of well-typed old values; when a version is
 * superseded, each older entry composes its upgrade with the new one.
 *
 * @example
 * ```ts
 * legacyVersion(1, headerV1Codec, (v1) => ({ ...v1, highestSequence: 0 }));
 * ```
 */
export function legacyVersion<L, A>(
  version: number | null,
  codec: t.Decoder<unknown, L>,
  upgrade: (old: L) => A,
): LegacyVersion<A> {
  return { version, decode: (fields) => E.map(upgrade)(codec.decode(fields)) };
}

/** How one kind of stored record is versioned. */
export interface VersionedRecordSpec<A, O> {
  /** What the record is, for messages: 'a task record'. */
  readonly name: string;
  /** The key that carries the version; `schemaVersion` unless the model names it otherwise. */
  readonly versionKey?: string;
  /** The version this library writes. */
  readonly version: number;
  /** The current shape's fields, without the version key. */
  readonly codec: t.Type<A, O, unknown>;
  /** Every older version ever written, newest first. */
  readonly legacy: readonly LegacyVersion<A>[];
}

/** Encoder and decoder of one kind of stored record. */
export interface VersionedRecord<A> {
  /** The version `encode` writes. */
  readonly version: number;
  /** The value as JSON-compatible data: `{ [versionKey]: version, ...fields }`. */
  encode(value: A): Readonly<Record<string, unknown>>;
  /**
   * Decodes `raw`: the current version directly, an older one through its legacy decoder and
   * upgrade, a newer one as `UnsupportedStoreVersion`. `at` prefixes the failure's path
   * (`tasks/42`). Never throws.
   */
  decode(raw: unknown, at?: string): E.Either<DecodeFailure, A>;
}

/**
 * A stored record with a schema version (semantics section 7, conventions "Data at the boundary").
 *
 * The stored form is flat: `{ schemaVersion: 1, ...fields }`, so failure paths name fields as the
 * model does (`checkpoint.offset`). To add version 2: make the v2 fields the `codec` with
 * `version: 2`, and move the v1 codec into `legacy` as `legacyVersion(1, v1Codec, upgradeV1ToV2)`
 * (older entries compose their upgrade with `upgradeV1ToV2`). A decoder is kept for every version
 * ever written; stored records with unknown keys are rejected, so a new field means a new version.
 *
 * @example
 * ```ts
 * const records = versionedRecord({ name: 'a checkpoint', version: 1, codec: checkpointCodec, legacy: [] });
 * records.decode({ schemaVersion: 2 }, 'tasks/1'); // Left: UnsupportedStoreVersion at 'tasks/1.schemaVersion'
 * ```
 */
export function versionedRecord<A, O>(spec: VersionedRecordSpec<A, O>): VersionedRecord<A> {
  const versionKey = spec.versionKey ?? 'schemaVersion';
  const corrupt = (path: string, message: string): E.Either<DecodeFailure, A> =>
    E.left({ code: 'CorruptRecord', path, message: path === '' ? message : `${path}: ${message}` });

  return {
    version: spec.version,
    encode(value) {
      const fields = spec.codec.encode(value) as Readonly<Record<string, unknown>>;
      return { [versionKey]: spec.version, ...fields };
    },
    decode(raw, at) {
      if (!isPlainObject(raw)) return corrupt(at ?? '', `expected ${spec.name}, got ${describeValue(raw)}`);
      const versionPath = joinPath(at, versionKey);
      // Object.entries/fromEntries copy an own `__proto__` key as a key, never as a prototype.
      const fields = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== versionKey));
      const fromLegacy = (version: number | null): E.Either<DecodeFailure, A> | undefined => {
        const legacy = spec.legacy.find((entry) => entry.version === version);
        if (legacy === undefined) return undefined;
        return E.mapLeft((errors: t.Errors) => toDecodeFailure(errors, at))(legacy.decode(fields));
      };

      if (!hasOwn(raw, versionKey)) {
        return fromLegacy(null) ?? corrupt(versionPath, `missing; ${spec.name} carries its schema version`);
      }
      const version = raw[versionKey];
      if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
        return corrupt(versionPath, `expected a schema version, got ${describeValue(version)}`);
      }
      if (version > spec.version) {
        return E.left({
          code: 'UnsupportedStoreVersion',
          path: versionPath,
          message: `${versionPath}: ${spec.name} written by schema version ${version}; this library reads up to ${spec.version}`,
        });
      }
      if (version === spec.version) {
        return E.mapLeft((errors: t.Errors) => toDecodeFailure(errors, at))(spec.codec.decode(fields));
      }
      return fromLegacy(version) ?? corrupt(versionPath, `schema version ${version} of ${spec.name} was never written`);
    },
  };
}
