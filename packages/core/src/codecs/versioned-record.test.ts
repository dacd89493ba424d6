import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { defaultConfiguration } from '../model/configuration.js';
import type { StoreHeader } from '../model/store-header.js';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { exactType } from './exact-codec.js';
import { decodeOutboxEntry, encodeOutboxEntry } from './outbox-entry-codec.js';
import { nonNegativeSafeInteger } from './primitives.js';
import { decodeResumeData, decodeResumeDataReference, encodeResumeData, encodeResumeDataReference } from './resume-data-codec.js';
import { decodeStoreHeader, encodeStoreHeader } from './store-header-codec.js';
import { decodeTaskRecord } from './task-record-codec.js';
import { legacyVersion, versionedRecord } from './versioned-record.js';

const header: StoreHeader = {
  identifier: 'uploads',
  configuration: { identifier: 'uploads', ...defaultConfiguration },
  highestTaskIdentifier: 12,
  highestSequence: 40,
  lifecycle: 'active',
};

describe('versioned records', () => {
  it.each([
    ['a store header', () => decodeStoreHeader({ ...encodeStoreHeader(header), schemaVersion: 2 }, 'header'), 'header.schemaVersion'],
    ['a task record', () => decodeTaskRecord({ schemaVersion: 7, taskIdentifier: 1 }, 'tasks/1'), 'tasks/1.schemaVersion'],
    [
      'an outbox entry',
      () =>
        decodeOutboxEntry(
          {
            ...encodeOutboxEntry({
              eventId: '0123456789abcdef0123456789abcdef',
              sequence: 1,
              committedAt: 0,
              payload: { type: 'sessionDidBecomeInvalid', error: null },
            }),
            schemaVersion: 2,
          },
          'outbox/1',
        ),
      'outbox/1.schemaVersion',
    ],
    [
      'a resume-data reference',
      () => decodeResumeDataReference({ ...encodeResumeDataReference({ partKey: 'p', expiresAt: 1, bytesKept: 2 }), schemaVersion: 2 }),
      'schemaVersion',
    ],
  ])('reports %s written by a newer schema version as UnsupportedStoreVersion', (_name, decode, path) => {
    const result = decode();
    expect(E.isLeft(result) && result.left).toMatchObject({ code: 'UnsupportedStoreVersion', path });
  });

  it('refuses resume data made by a newer version as InvalidResumeData', () => {
    const token = encodeResumeData({
      version: 2,
      sessionIdentifier: 'downloads',
      originalUrl: 'https://example.com/a',
      currentRequest: { url: 'https://example.com/a', method: 'GET', headers: {} },
      validator: { type: 'etag', value: '"x"', weak: false },
      bytesKept: 10,
      expectedLength: 100,
      partKey: 'part-1',
      bootIdentity: 'boot',
      expiresAt: 1_000,
      credentialHeaders: [],
    });
    const json = JSON.parse(new TextDecoder().decode(decodeBase64Url(token) ?? new Uint8Array())) as object;
    const newer = encodeBase64Url(new TextEncoder().encode(JSON.stringify({ ...json, version: 3 })));
    const result = decodeResumeData(newer);
    expect(E.isLeft(result) && result.left).toMatchObject({ code: 'InvalidResumeData', field: 'resumeData.version' });
    expect(E.isLeft(result) && result.left.message).toContain('newer version');
  });

  it.each([
    ['a missing schema version', { ...encodeStoreHeader(header), schemaVersion: undefined }],
    ['a string schema version', { ...encodeStoreHeader(header), schemaVersion: '1' }],
    ['a fractional schema version', { ...encodeStoreHeader(header), schemaVersion: 0.5 }],
    ['a version that was never written', { ...encodeStoreHeader(header), schemaVersion: 0 }],
  ])('reports %s as CorruptRecord at schemaVersion', (_name, raw) => {
    const stripped = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
    const result = decodeStoreHeader(stripped, 'header');
    expect(E.isLeft(result) && result.left).toMatchObject({ code: 'CorruptRecord', path: 'header.schemaVersion' });
  });

  // The mechanism a version 2 would use, shown on a toy record: v2 added `unit`; v1 had `count`
  // only; records from before versions existed had no `schemaVersion` and called it `n`.
  describe('upgrading older versions', () => {
    const v2 = exactType({ count: nonNegativeSafeInteger, unit: t.string }, 'a counter');
    const v1 = exactType({ count: nonNegativeSafeInteger }, 'a counter (v1)');
    const v0 = exactType({ n: nonNegativeSafeInteger }, 'a counter (v0)');
    const upgradeV1 = (old: t.TypeOf<typeof v1>): t.TypeOf<typeof v2> => ({ count: old.count, unit: 'bytes' });
    const counters = versionedRecord({
      name: 'a counter',
      version: 2,
      codec: v2,
      legacy: [legacyVersion(1, v1, upgradeV1), legacyVersion(null, v0, (old) => upgradeV1({ count: old.n }))],
    });

    it('writes the current version', () => {
      expect(counters.encode({ count: 3, unit: 'files' })).toEqual({ schemaVersion: 2, count: 3, unit: 'files' });
    });

    it('reads the current version as it is', () => {
      expect(counters.decode({ schemaVersion: 2, count: 3, unit: 'files' })).toEqual(E.right({ count: 3, unit: 'files' }));
    });

    it('reads version 1 through its decoder and upgrade', () => {
      expect(counters.decode({ schemaVersion: 1, count: 3 })).toEqual(E.right({ count: 3, unit: 'bytes' }));
    });

    it('reads a record without a version through the oldest decoder', () => {
      expect(counters.decode({ n: 3 })).toEqual(E.right({ count: 3, unit: 'bytes' }));
    });

    it('reports an old record that does not decode with the path of what was wrong', () => {
      expect(counters.decode({ schemaVersion: 1, count: -3 }, 'counters/a')).toMatchObject(
        E.left({ code: 'CorruptRecord', path: 'counters/a.count' }),
      );
      expect(counters.decode({ schemaVersion: 1, count: 3, unit: 'files' }, 'counters/a')).toMatchObject(
        E.left({ code: 'CorruptRecord', path: 'counters/a.unit' }),
      );
    });

    it('refuses a version newer than the current one', () => {
      expect(counters.decode({ schemaVersion: 3, count: 3, unit: 'files' })).toMatchObject(
        E.left({ code: 'UnsupportedStoreVersion', path: 'schemaVersion' }),
      );
    });
  });
});
