import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// Core does not depend on @bgsession/testing (that package depends on core), so the arbitraries
// are imported from its sources.
import { configurationArbitrary } from '../../../testing/src/arbitraries/configuration-arbitrary.js';
import { outboxEntryArbitrary } from '../../../testing/src/arbitraries/outbox-entry-arbitrary.js';
import {
  resumeDataArbitrary,
  resumeDataReferenceArbitrary,
} from '../../../testing/src/arbitraries/resume-data-arbitrary.js';
import { storeHeaderArbitrary } from '../../../testing/src/arbitraries/store-header-arbitrary.js';
import { taskRecordArbitrary } from '../../../testing/src/arbitraries/task-record-arbitrary.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { sessionConfigurationCodec } from './configuration-codec.js';
import { decodeConfiguration } from './decode-configuration.js';
import type { DecodeFailure } from './decode-error.js';
import { decodeOutboxEntry, encodeOutboxEntry } from './outbox-entry-codec.js';
import { persistedErrorCodec } from './persisted-error-codec.js';
import {
  decodeResumeData,
  decodeResumeDataReference,
  encodeResumeData,
  encodeResumeDataReference,
} from './resume-data-codec.js';
import { decodeStoreHeader, encodeStoreHeader } from './store-header-codec.js';
import { createTaskRecordEncoder, decodeTaskRecord, encodeTaskRecord } from './task-record-codec.js';

const numRuns = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

/** Every stored-record decoder, with a valid encoded value of its kind and the store's key prefix. */
const storedRecords = [
  { name: 'task record', at: 'tasks/42', decode: decodeTaskRecord, valid: taskRecordArbitrary().map(encodeTaskRecord) },
  { name: 'outbox entry', at: 'outbox/7', decode: decodeOutboxEntry, valid: outboxEntryArbitrary().map(encodeOutboxEntry) },
  {
    name: 'resume-data reference',
    at: 'resumeData/part-1',
    decode: decodeResumeDataReference,
    valid: resumeDataReferenceArbitrary().map(encodeResumeDataReference),
  },
  { name: 'store header', at: 'header', decode: decodeStoreHeader, valid: storeHeaderArbitrary().map(encodeStoreHeader) },
] as const;

function expectDecodeFailureOrValue(result: E.Either<DecodeFailure, unknown>): void {
  if (E.isRight(result)) return;
  expect(['CorruptRecord', 'UnsupportedStoreVersion']).toContain(result.left.code);
  expect(typeof result.left.path).toBe('string');
  expect(typeof result.left.message).toBe('string');
}

function expectBgSessionErrorOrValue(result: E.Either<BgSessionError, unknown>, code: string): void {
  if (E.isRight(result)) return;
  expect(result.left).toBeInstanceOf(BgSessionError);
  expect(result.left.code).toBe(code);
}

type PathKey = string | number;

/** The path as the reporter writes it: `a.b[0].c`. */
function formatPath(path: readonly PathKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? key : `${out}.${key}`),
    '',
  );
}

function prefixed(at: string, path: string): string {
  return path === '' ? at : `${at}.${path}`;
}

/** Primitive leaves (and nulls) of a JSON value, with their paths. */
function leaves(value: unknown, path: PathKey[] = []): { path: PathKey[]; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  }
  return [{ path, value }];
}

// Header maps take any (valid) key, so adding one there is not an error.
const openMaps = new Set(['headers', 'additionalHeaders']);

/** Paths of the objects in a JSON value that must reject an unknown key. */
function exactObjects(value: unknown, path: PathKey[] = []): PathKey[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => exactObjects(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  const last = path[path.length - 1];
  const own = typeof last === 'string' && openMaps.has(last) ? [] : [path];
  return [...own, ...Object.entries(value).flatMap(([key, item]) => exactObjects(item, [...path, key]))];
}

/** A value no field accepts in place of `value`. */
function wrongTypeFor(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return 7;
    case 'number':
      return 'seven';
    case 'boolean':
      return 'true';
    default:
      return [];
  }
}

function setAt(root: unknown, path: readonly PathKey[], replace: (old: unknown) => unknown): unknown {
  const copy: unknown = structuredClone(root);
  if (path.length === 0) return replace(copy);
  let node = copy as Record<PathKey, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<PathKey, unknown>;
  const last = path[path.length - 1] as PathKey;
  node[last] = replace(node[last]);
  return copy;
}

type Mutation = { readonly mutated: unknown; readonly path: string };

/** A valid JSON value with one leaf of the wrong type, or one unknown key added to an object. */
function mutationOf(valid: unknown): fc.Arbitrary<Mutation> {
  const wrongLeaf = fc.constantFrom(...leaves(valid)).map(
    (leaf): Mutation => ({ mutated: setAt(valid, leaf.path, () => wrongTypeFor(leaf.value)), path: formatPath(leaf.path) }),
  );
  const unknownKey = fc.constantFrom(...exactObjects(valid)).map(
    (path): Mutation => ({
      mutated: setAt(valid, path, (old) => ({ ...(old as object), bogusKey: 1 })),
      path: formatPath([...path, 'bogusKey']),
    }),
  );
  return fc.oneof(wrongLeaf, unknownKey);
}

/** Walks an encoded value: only plain objects, arrays, strings, booleans, null and finite numbers. */
function expectJsonCompatible(value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value)).toBe(true);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach(expectJsonCompatible);
    return;
  }
  expect(typeof value).toBe('object');
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  Object.values(value as object).forEach(expectJsonCompatible);
}

function throughJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The JSON inside an encoded resume-data string. */
function resumeDataJson(token: string): unknown {
  const bytes = decodeBase64Url(token);
  if (bytes === null) throw new Error('not base64url');
  return JSON.parse(new TextDecoder().decode(bytes));
}

function resumeDataToken(json: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(json)));
}

describe('codecs', () => {
  it('#17 decode, never crash: any JSON value given to every decoder yields a value or a typed failure', () => {
    // Valid records with one leaf replaced by anything reach deep into the codecs.
    const anyValue = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.jsonValue(), fc.anything());
    const anyLeafReplaced = fc
      .constantFrom(...storedRecords)
      .chain((record) => record.valid)
      .chain((valid) =>
        fc
          .tuple(fc.constantFrom(...leaves(valid)), anyValue)
          .map(([leaf, value]) => setAt(valid, leaf.path, () => value)),
      );
    const versionedJunk = fc.dictionary(fc.string(), fc.jsonValue()).map((fields) => ({ schemaVersion: 1, ...fields }));
    const inputs = fc.oneof(
      fc.jsonValue(),
      fc.anything(),
      versionedJunk,
      { arbitrary: anyLeafReplaced, weight: 3 },
    );
    fc.assert(
      fc.property(inputs, (input) => {
        for (const record of storedRecords) expectDecodeFailureOrValue(record.decode(input, record.at));
        expectBgSessionErrorOrValue(decodeConfiguration(input), 'InvalidConfiguration');
        expectBgSessionErrorOrValue(decodeResumeData(input), 'InvalidResumeData');
        for (const codec of [sessionConfigurationCodec, persistedErrorCodec] as const) {
          const result = codec.decode(input);
          if (E.isLeft(result)) expect(result.left.length).toBeGreaterThan(0);
        }
      }),
      { numRuns },
    );
    const resumeDataLike = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.base64String(),
      fc.uint8Array().map(encodeBase64Url),
      fc.jsonValue().map(resumeDataToken),
      resumeDataArbitrary().chain((data) => {
        const json = resumeDataJson(encodeResumeData(data));
        return fc
          .tuple(fc.constantFrom(...leaves(json)), fc.jsonValue())
          .map(([leaf, value]) => resumeDataToken(setAt(json, leaf.path, () => value)));
      }),
    );
    fc.assert(
      fc.property(resumeDataLike, (token) => expectBgSessionErrorOrValue(decodeResumeData(token), 'InvalidResumeData')),
      { numRuns },
    );
  });

  it('#17 decode, never crash: mutated valid records are rejected with the path of what was wrong', () => {
    for (const record of storedRecords) {
      fc.assert(
        fc.property(record.valid.chain(mutationOf), ({ mutated, path }) => {
          const result = record.decode(mutated, record.at);
          expect(E.isLeft(result) && result.left).toMatchObject({ code: 'CorruptRecord', path: prefixed(record.at, path) });
        }),
        { numRuns },
      );
    }
    fc.assert(
      fc.property(configurationArbitrary().chain(mutationOf), ({ mutated, path }) => {
        const result = decodeConfiguration(mutated);
        expect(E.isLeft(result) && result.left).toMatchObject({ code: 'InvalidConfiguration', field: path });
      }),
      { numRuns },
    );
    fc.assert(
      fc.property(
        resumeDataArbitrary().chain((data) => mutationOf(resumeDataJson(encodeResumeData(data)))),
        ({ mutated, path }) => {
          const result = decodeResumeData(resumeDataToken(mutated));
          expect(E.isLeft(result) && result.left).toMatchObject({ code: 'InvalidResumeData', field: `resumeData.${path}` });
        },
      ),
      { numRuns },
    );
  });

  it('#19 round trip: encoding any valid task record / outbox entry / resume data / store header / configuration and decoding it gives it back', () => {
    const roundTrips = [
      [taskRecordArbitrary(), encodeTaskRecord, decodeTaskRecord],
      [outboxEntryArbitrary(), encodeOutboxEntry, decodeOutboxEntry],
      [resumeDataReferenceArbitrary(), encodeResumeDataReference, decodeResumeDataReference],
      [storeHeaderArbitrary(), encodeStoreHeader, decodeStoreHeader],
    ] as const;
    for (const [arbitrary, encode, decode] of roundTrips) {
      fc.assert(
        fc.property(arbitrary as fc.Arbitrary<never>, (value) => {
          const encoded = (encode as (v: unknown) => unknown)(value);
          expectJsonCompatible(encoded);
          const decodeRaw = decode as (raw: unknown) => E.Either<DecodeFailure, unknown>;
          expect(decodeRaw(throughJson(encoded))).toStrictEqual(E.right(value));
        }),
        { numRuns },
      );
    }
    fc.assert(
      fc.property(resumeDataArbitrary(), (data) => {
        const token = encodeResumeData(data);
        expect(token).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeResumeData(token)).toStrictEqual(E.right(data));
      }),
      { numRuns },
    );
    fc.assert(
      fc.property(configurationArbitrary(), (configuration) => {
        expect(decodeConfiguration(throughJson(configuration))).toStrictEqual(E.right(configuration));
        const stored = sessionConfigurationCodec.encode(configuration);
        expectJsonCompatible(stored);
        expect(sessionConfigurationCodec.decode(throughJson(stored))).toStrictEqual(E.right(configuration));
      }),
      { numRuns },
    );
  });

  it('#19 round trip: a task record whose parts were encoded before, as part of another record, is stored as a fresh copy of it is', () => {
    const parts = ['originalRequest', 'currentRequest', 'options', 'body', 'attempts', 'checkpoint', 'progress', 'handOver', 'response', 'error'] as const;
    fc.assert(
      fc.property(taskRecordArbitrary(), taskRecordArbitrary(), fc.subarray([...parts]), fc.boolean(), (earlier, later, shared, crossed) => {
        // A step replaces what it changes and keeps the rest of the record before it, by identity.
        const encode = createTaskRecordEncoder();
        encode(earlier);
        const sharing = { ...later } as Record<string, unknown>;
        for (const key of shared) sharing[key] = earlier[key];
        // One object met before under another field, whose defaults differ.
        if (crossed) sharing['currentRequest'] = earlier.originalRequest;
        const record = sharing as unknown as typeof later;
        const stored = encode(record);
        expect(stored).toStrictEqual(encodeTaskRecord(throughJson(record) as typeof later));
        expect(decodeTaskRecord(throughJson(stored))).toStrictEqual(E.right(record));
      }),
      { numRuns },
    );
  });
});
