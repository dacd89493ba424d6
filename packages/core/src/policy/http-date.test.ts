import { describe, expect, it } from 'vitest';
import { parseHttpDate } from './http-date.js';

const nov6 = Date.UTC(1994, 10, 6, 8, 49, 37);

const rows: ReadonlyArray<{ name: string; value: string | undefined; expected: number | null }> = [
  { name: 'IMF-fixdate', value: 'Sun, 06 Nov 1994 08:49:37 GMT', expected: nov6 },
  { name: 'IMF-fixdate with surrounding whitespace', value: '  Sun, 06 Nov 1994 08:49:37 GMT ', expected: nov6 },
  { name: 'IMF-fixdate in another letter case', value: 'SUN, 06 NOV 1994 08:49:37 gmt', expected: nov6 },
  { name: 'obsolete RFC 850 date', value: 'Sunday, 06-Nov-94 08:49:37 GMT', expected: nov6 },
  { name: 'RFC 850 two-digit year below 70 is in the 2000s', value: 'Friday, 01-Jan-21 00:00:00 GMT', expected: Date.UTC(2021, 0, 1) },
  { name: 'obsolete asctime date is read as UTC, not local time', value: 'Sun Nov  6 08:49:37 1994', expected: nov6 },
  { name: 'asctime with a two-digit day', value: 'Thu Nov 10 08:49:37 1994', expected: Date.UTC(1994, 10, 10, 8, 49, 37) },
  { name: 'a leap second reads as the 59th', value: 'Sat, 31 Dec 2016 23:59:60 GMT', expected: Date.UTC(2016, 11, 31, 23, 59, 59) },
  { name: 'a four-digit year below 100 is not moved to the 1900s', value: 'Mon, 01 Jan 0050 00:00:00 GMT', expected: new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(50, 0, 1) },
  { name: 'missing', value: undefined, expected: null },
  { name: 'empty', value: '', expected: null },
  { name: 'garbage', value: 'yesterday', expected: null },
  { name: 'a number of seconds is not a date', value: '120', expected: null },
  { name: 'ISO 8601 is not an HTTP-date', value: '1994-11-06T08:49:37Z', expected: null },
  { name: 'a zone other than GMT', value: 'Sun, 06 Nov 1994 08:49:37 PST', expected: null },
  { name: 'an unknown month', value: 'Sun, 06 Foo 1994 08:49:37 GMT', expected: null },
  { name: '31 February does not exist', value: 'Wed, 31 Feb 2024 00:00:00 GMT', expected: null },
  { name: 'hour 24', value: 'Sun, 06 Nov 1994 24:00:00 GMT', expected: null },
  { name: 'minute 60', value: 'Sun, 06 Nov 1994 08:60:00 GMT', expected: null },
  { name: 'second 61', value: 'Sun, 06 Nov 1994 08:49:61 GMT', expected: null },
  { name: 'day 0', value: 'Sun, 00 Nov 1994 08:49:37 GMT', expected: null },
];

describe('parseHttpDate', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(parseHttpDate(row.value)).toBe(row.expected);
    });
  }
});
