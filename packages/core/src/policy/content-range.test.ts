import { describe, expect, it } from 'vitest';
import { parseContentLength, parseContentRange, type ContentRange } from './content-range.js';

const rangeRows: ReadonlyArray<{ name: string; value: string | undefined; expected: ContentRange }> = [
  { name: 'a range with its total', value: 'bytes 100-199/1000', expected: { type: 'range', first: 100, last: 199, total: 1000 } },
  { name: 'a range with an unknown total', value: 'bytes 100-199/*', expected: { type: 'range', first: 100, last: 199, total: null } },
  { name: 'a one-byte range at the end', value: 'bytes 999-999/1000', expected: { type: 'range', first: 999, last: 999, total: 1000 } },
  { name: 'the unit is case-insensitive', value: 'Bytes 0-0/1', expected: { type: 'range', first: 0, last: 0, total: 1 } },
  { name: 'surrounding whitespace is ignored', value: '  bytes 0-9/10 ', expected: { type: 'range', first: 0, last: 9, total: 10 } },
  { name: 'the largest safe positions', value: `bytes 0-${Number.MAX_SAFE_INTEGER - 1}/${Number.MAX_SAFE_INTEGER}`, expected: { type: 'range', first: 0, last: Number.MAX_SAFE_INTEGER - 1, total: Number.MAX_SAFE_INTEGER } },
  { name: 'an unsatisfied range', value: 'bytes */1000', expected: { type: 'unsatisfied', total: 1000 } },
  { name: 'an unsatisfied range of an empty representation', value: 'bytes */0', expected: { type: 'unsatisfied', total: 0 } },
  { name: 'A3 invalid Content-Range: last < first', value: 'bytes 200-100/1000', expected: { type: 'invalid', reason: 'order' } },
  { name: 'A3 invalid Content-Range: total <= last', value: 'bytes 0-1000/1000', expected: { type: 'invalid', reason: 'total' } },
  { name: 'A3 invalid Content-Range: total < last', value: 'bytes 0-5000/1000', expected: { type: 'invalid', reason: 'total' } },
  { name: 'A3 invalid Content-Range: bytes 5-/10', value: 'bytes 5-/10', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: bytes -5/10 (a suffix is a request form)', value: 'bytes -5/10', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: unit items', value: 'items 0-9/10', expected: { type: 'invalid', reason: 'unit' } },
  { name: 'A3 invalid Content-Range: missing', value: undefined, expected: { type: 'invalid', reason: 'missing' } },
  { name: 'A3 invalid Content-Range: empty', value: '', expected: { type: 'invalid', reason: 'missing' } },
  { name: 'A3 invalid Content-Range: multipart (several ranges joined)', value: 'bytes 0-9/100, bytes 20-29/100', expected: { type: 'invalid', reason: 'multiple' } },
  { name: 'A3 invalid Content-Range: first past 2^53', value: 'bytes 9007199254740993-9007199254740999/9007199254741000', expected: { type: 'invalid', reason: 'unsafeInteger' } },
  { name: 'A3 invalid Content-Range: total past 2^53', value: 'bytes 0-9/18446744073709551616', expected: { type: 'invalid', reason: 'unsafeInteger' } },
  { name: 'A3 invalid Content-Range: unsatisfied total past 2^53', value: 'bytes */9007199254740993', expected: { type: 'invalid', reason: 'unsafeInteger' } },
  { name: 'A3 invalid Content-Range: no unit', value: '0-9/10', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: negative first', value: 'bytes -1-9/10', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: no total', value: 'bytes 0-9', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: unsatisfied with unknown total', value: 'bytes */*', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: decimals', value: 'bytes 0.5-9/10', expected: { type: 'invalid', reason: 'syntax' } },
  { name: 'A3 invalid Content-Range: HTML', value: '<html>', expected: { type: 'invalid', reason: 'syntax' } },
];

describe('parseContentRange', () => {
  for (const row of rangeRows) {
    it(row.name, () => {
      expect(parseContentRange(row.value)).toEqual(row.expected);
    });
  }
});

const lengthRows: ReadonlyArray<{ name: string; value: string | undefined; expected: number | null | 'invalid' }> = [
  { name: 'a length', value: '1024', expected: 1024 },
  { name: 'zero', value: '0', expected: 0 },
  { name: 'absent', value: undefined, expected: null },
  { name: 'identical values merged by a proxy', value: '42, 42', expected: 42 },
  { name: 'differing values', value: '42, 43', expected: 'invalid' },
  { name: 'the largest safe length', value: String(Number.MAX_SAFE_INTEGER), expected: Number.MAX_SAFE_INTEGER },
  { name: 'A3 lengths past 2^53 are invalid, not rounded', value: '9007199254740993', expected: 'invalid' },
  { name: 'A3 a 2^64 length is invalid', value: '18446744073709551616', expected: 'invalid' },
  { name: 'negative', value: '-1', expected: 'invalid' },
  { name: 'empty', value: '', expected: 'invalid' },
  { name: 'garbage', value: 'ten', expected: 'invalid' },
  { name: 'a decimal', value: '10.0', expected: 'invalid' },
];

describe('parseContentLength', () => {
  for (const row of lengthRows) {
    it(row.name, () => {
      expect(parseContentLength(row.value)).toBe(row.expected);
    });
  }
});
