import { describe, expect, it } from 'vitest';
import type { HeaderMap, Validator } from '../model/http.js';
import { ifRangeValue, sameValidator, validatorFromResponse, validatorMatchesResponse } from './validator.js';

const lastModified = 'Sun, 06 Nov 1994 08:49:37 GMT';
const sameSecond = 'Sun, 06 Nov 1994 08:49:37 GMT';
const oneSecondLater = 'Sun, 06 Nov 1994 08:49:38 GMT';
const aDayLater = 'Mon, 07 Nov 1994 08:49:37 GMT';

const fromResponseRows: ReadonlyArray<{ name: string; headers: HeaderMap; expected: Validator | null; ifRange: string | null }> = [
  { name: 'a strong ETag', headers: { etag: '"v1"' }, expected: { type: 'etag', value: '"v1"', weak: false }, ifRange: '"v1"' },
  { name: 'an empty strong ETag', headers: { etag: '""' }, expected: { type: 'etag', value: '""', weak: false }, ifRange: '""' },
  { name: 'A5 a weak ETag is never sent in If-Range', headers: { etag: 'W/"v1"' }, expected: { type: 'etag', value: '"v1"', weak: true }, ifRange: null },
  {
    name: 'A5 a weak ETag wins over a strong Last-Modified (RFC 9110 13.1.5: no date when there is an entity tag)',
    headers: { etag: 'W/"v1"', 'last-modified': lastModified, date: aDayLater },
    expected: { type: 'etag', value: '"v1"', weak: true },
    ifRange: null,
  },
  {
    name: 'a strong ETag wins over Last-Modified',
    headers: { etag: '"v1"', 'last-modified': lastModified, date: aDayLater },
    expected: { type: 'etag', value: '"v1"', weak: false },
    ifRange: '"v1"',
  },
  {
    name: 'A5 Last-Modified older than Date - 1 s is strong',
    headers: { 'last-modified': lastModified, date: aDayLater },
    expected: { type: 'lastModified', value: lastModified, strong: true },
    ifRange: lastModified,
  },
  {
    name: 'A5 Last-Modified exactly 1 s before Date is strong',
    headers: { 'last-modified': lastModified, date: oneSecondLater },
    expected: { type: 'lastModified', value: lastModified, strong: true },
    ifRange: lastModified,
  },
  {
    name: 'A5 Last-Modified within 1 s of Date (equal, as HTTP dates have whole seconds) is weak',
    headers: { 'last-modified': lastModified, date: sameSecond },
    expected: { type: 'lastModified', value: lastModified, strong: false },
    ifRange: null,
  },
  {
    name: 'Last-Modified after Date (a skewed server) is weak',
    headers: { 'last-modified': aDayLater, date: lastModified },
    expected: { type: 'lastModified', value: aDayLater, strong: false },
    ifRange: null,
  },
  {
    name: 'Last-Modified without Date is weak',
    headers: { 'last-modified': lastModified },
    expected: { type: 'lastModified', value: lastModified, strong: false },
    ifRange: null,
  },
  {
    name: 'Last-Modified with an unparsable Date is weak',
    headers: { 'last-modified': lastModified, date: 'tomorrow' },
    expected: { type: 'lastModified', value: lastModified, strong: false },
    ifRange: null,
  },
  { name: 'an unparsable Last-Modified is no validator', headers: { 'last-modified': 'last week', date: aDayLater }, expected: null, ifRange: null },
  { name: 'no validator at all', headers: { 'content-length': '10' }, expected: null, ifRange: null },
  {
    name: 'an unquoted ETag is ignored in favour of Last-Modified',
    headers: { etag: 'v1', 'last-modified': lastModified, date: aDayLater },
    expected: { type: 'lastModified', value: lastModified, strong: true },
    ifRange: lastModified,
  },
  { name: 'several ETags joined are ignored', headers: { etag: '"a", "b"' }, expected: null, ifRange: null },
  { name: 'a lower-case w/ is not a weak marker (the ETag is malformed)', headers: { etag: 'w/"v1"' }, expected: null, ifRange: null },
];

describe('validatorFromResponse and ifRangeValue', () => {
  for (const row of fromResponseRows) {
    it(row.name, () => {
      const validator = validatorFromResponse({ status: 200, headers: row.headers });
      expect(validator).toEqual(row.expected);
      expect(ifRangeValue(validator)).toBe(row.ifRange);
    });
  }
});

const strong = (value: string): Validator => ({ type: 'etag', value, weak: false });
const weak = (value: string): Validator => ({ type: 'etag', value, weak: true });
const date = (value: string, isStrong = true): Validator => ({ type: 'lastModified', value, strong: isStrong });

const sameRows: ReadonlyArray<{ name: string; a: Validator | null; b: Validator | null; expected: boolean }> = [
  { name: 'the same strong ETag', a: strong('"a"'), b: strong('"a"'), expected: true },
  { name: 'A4 another strong ETag', a: strong('"a"'), b: strong('"b"'), expected: false },
  { name: 'a strong and a weak ETag with the same tag differ', a: strong('"a"'), b: weak('"a"'), expected: false },
  { name: 'the same Last-Modified', a: date(lastModified), b: date(lastModified), expected: true },
  { name: 'the same instant written in the RFC 850 form', a: date(lastModified), b: date('Sunday, 06-Nov-94 08:49:37 GMT'), expected: true },
  { name: 'the strength of a Last-Modified is not part of its identity', a: date(lastModified, true), b: date(lastModified, false), expected: true },
  { name: 'A4 another Last-Modified', a: date(lastModified), b: date(aDayLater), expected: false },
  { name: 'an ETag and a Last-Modified differ', a: strong('"a"'), b: date(lastModified), expected: false },
  { name: 'nothing is the same as nothing: no validator never matches', a: null, b: null, expected: false },
  { name: 'a validator and none differ', a: strong('"a"'), b: null, expected: false },
];

describe('sameValidator', () => {
  for (const row of sameRows) {
    it(row.name, () => {
      expect(sameValidator(row.a, row.b)).toBe(row.expected);
      expect(sameValidator(row.b, row.a)).toBe(row.expected);
    });
  }
});

const matchRows: ReadonlyArray<{ name: string; validator: Validator | null; headers: HeaderMap; expected: boolean }> = [
  { name: 'the ETag that was sent', validator: strong('"v1"'), headers: { etag: '"v1"' }, expected: true },
  { name: 'another ETag', validator: strong('"v1"'), headers: { etag: '"v2"' }, expected: false },
  { name: 'no ETag on the response', validator: strong('"v1"'), headers: {}, expected: false },
  { name: 'the weak form of the ETag that was sent', validator: strong('"v1"'), headers: { etag: 'W/"v1"' }, expected: false },
  { name: 'the Last-Modified that was sent, though an ETag appeared', validator: date(lastModified), headers: { etag: '"new"', 'last-modified': lastModified }, expected: true },
  { name: 'another Last-Modified', validator: date(lastModified), headers: { 'last-modified': aDayLater }, expected: false },
  { name: 'no validator was sent', validator: null, headers: { etag: '"v1"' }, expected: false },
];

describe('validatorMatchesResponse', () => {
  for (const row of matchRows) {
    it(row.name, () => {
      expect(validatorMatchesResponse(row.validator, { status: 206, headers: row.headers })).toBe(row.expected);
    });
  }
});
