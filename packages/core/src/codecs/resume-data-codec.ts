import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { ResumeData, ResumeDataReference } from '../model/resume-data.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import type { DecodeFailure } from './decode-error.js';
import { exactType } from './exact-codec.js';
import { httpRequestCodec } from './http-request-codec.js';
import { nullable } from './nullable-codec.js';
import { httpUrl, instant, lowerCaseHeaderName, nonEmptyString, nonNegativeSafeInteger } from './primitives.js';
import type { Assert, Equals } from './type-equality.js';
import { validatorCodec } from './validator-codec.js';
import { legacyVersion, versionedRecord } from './versioned-record.js';

/** Resume data far beyond any real one (a URL, a few headers, a validator) is refused unread. */
const MAX_RESUME_DATA_LENGTH = 1024 * 1024;

const resumeDataV1Fields = {
  sessionIdentifier: nonEmptyString,
  originalUrl: httpUrl,
  currentRequest: httpRequestCodec,
  validator: nullable(validatorCodec),
  bytesKept: nonNegativeSafeInteger,
  expectedLength: nullable(nonNegativeSafeInteger),
  partKey: nonEmptyString,
  bootIdentity: t.string,
  expiresAt: instant,
};

/** The fields of resume data version 1 (before it named its credential headers), without `version`. */
const resumeDataV1Codec = exactType(resumeDataV1Fields, 'resume data');

/** The fields of resume data version 2, without `version`. */
export const resumeDataFieldsCodec = exactType({ ...resumeDataV1Fields, credentialHeaders: t.readonlyArray(lowerCaseHeaderName) }, 'resume data');

type _ResumeDataMatches = Assert<Equals<{ readonly version: 2 } & t.TypeOf<typeof resumeDataFieldsCodec>, ResumeData>>;

// The model carries the version as `version`, so this record's version key is `version`. Version 1
// named no credential headers: a task made from it is sent with what its `headers` give.
const resumeDataRecords = versionedRecord({
  name: 'resume data',
  versionKey: 'version',
  version: 2,
  codec: resumeDataFieldsCodec,
  legacy: [legacyVersion(1, resumeDataV1Codec, (v1) => ({ ...v1, credentialHeaders: [] }))],
});

function invalid(field: string, message: string): BgSessionError {
  return new BgSessionError('InvalidResumeData', `Invalid resume data: ${message}`, { field });
}

function fromFailure(failure: DecodeFailure): BgSessionError {
  const field = failure.path === '' ? 'resumeData' : `resumeData.${failure.path}`;
  return failure.code === 'UnsupportedStoreVersion'
    ? invalid(field, `made by a newer version of bgsession (${failure.message})`)
    : invalid(field, failure.message);
}

/**
 * Resume data as the opaque string the app holds: base64url (no padding) of its JSON. Never
 * contains more than the value given: strip sensitive headers before calling.
 *
 * @example
 * ```ts
 * const token = encodeResumeData(data); // 'eyJ2ZXJzaW9uIjox...'
 * ```
 */
export function encodeResumeData(data: ResumeData): string {
  const json = JSON.stringify(resumeDataRecords.encode(data));
  return encodeBase64Url(new TextEncoder().encode(json));
}

/**
 * Reads the opaque string back. Anything wrong (not a string, not base64url, not UTF-8 JSON, a
 * missing or mistyped field, a newer version) is `InvalidResumeData` with `field` naming it
 * (`resumeData`, `resumeData.currentRequest.url`). Never throws.
 *
 * @example
 * ```ts
 * const result = decodeResumeData(token);
 * if (E.isLeft(result)) throw result.left; // BgSessionError InvalidResumeData
 * ```
 */
export function decodeResumeData(value: unknown): E.Either<BgSessionError, ResumeData> {
  if (typeof value !== 'string') return E.left(invalid('resumeData', 'expected the string cancelProducingResumeData() returned'));
  if (value.length > MAX_RESUME_DATA_LENGTH) return E.left(invalid('resumeData', `${value.length} characters is too long`));
  const bytes = decodeBase64Url(value);
  if (bytes === null) return E.left(invalid('resumeData', 'not base64url'));
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return E.left(invalid('resumeData', 'not UTF-8 JSON'));
  }
  const decoded = resumeDataRecords.decode(raw);
  if (E.isLeft(decoded)) return E.left(fromFailure(decoded.left));
  return E.right({ version: 2, ...decoded.right });
}

/** The store's reference to bytes owned by resume data (`ResumeDataReference`), fields only. */
export const resumeDataReferenceCodec = exactType(
  {
    partKey: nonEmptyString,
    expiresAt: instant,
    bytesKept: nonNegativeSafeInteger,
  },
  'a resume-data reference',
);

type _ResumeDataReferenceMatches = Assert<Equals<t.TypeOf<typeof resumeDataReferenceCodec>, ResumeDataReference>>;

/** Stored resume-data references: `{ schemaVersion: 1, ...fields }`; no older version was written. */
export const resumeDataReferences = versionedRecord({
  name: 'a resume-data reference',
  version: 1,
  codec: resumeDataReferenceCodec,
  legacy: [],
});

/**
 * A resume-data reference as JSON-compatible data for the Store.
 *
 * @example
 * ```ts
 * encodeResumeDataReference({ partKey: 'part-7', expiresAt: 1_700_000_000_000, bytesKept: 1024 });
 * ```
 */
export function encodeResumeDataReference(reference: ResumeDataReference): Readonly<Record<string, unknown>> {
  return resumeDataReferences.encode(reference);
}

/**
 * Decodes a stored resume-data reference; `at` (e.g. `resumeData/part-7`) prefixes the failure's
 * path. Never throws.
 *
 * @example
 * ```ts
 * decodeResumeDataReference(raw, 'resumeData/part-7');
 * ```
 */
export function decodeResumeDataReference(raw: unknown, at?: string): E.Either<DecodeFailure, ResumeDataReference> {
  return resumeDataReferences.decode(raw, at);
}
