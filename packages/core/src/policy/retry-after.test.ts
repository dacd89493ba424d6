import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

const serverNow = 'Sun, 06 Nov 1994 08:49:37 GMT';
const serverNowMs = Date.UTC(1994, 10, 6, 8, 49, 37);
const twoMinutesLater = 'Sun, 06 Nov 1994 08:51:37 GMT';

const rows: ReadonlyArray<{ name: string; value: string | undefined; date?: string; receivedAt?: number; expected: number | null }> = [
  { name: 'B10 Retry-After: 120 is 120 s', value: '120', expected: 120_000 },
  { name: 'Retry-After: 0 is now', value: '0', expected: 0 },
  { name: 'surrounding whitespace is ignored', value: ' 5 ', expected: 5000 },
  { name: 'B10 Retry-After: 10^9 s does not overflow (the caller caps it)', value: '1000000000', expected: 1_000_000_000_000 },
  { name: 'B10 a 40-digit Retry-After is the largest safe delay', value: '9'.repeat(40), expected: Number.MAX_SAFE_INTEGER },
  { name: 'a Retry-After whose ms pass 2^53 is the largest safe delay', value: '9007199254741', expected: Number.MAX_SAFE_INTEGER },
  { name: 'a negative Retry-After is now', value: '-30', expected: 0 },
  { name: 'B10 an HTTP-date is read against the response Date', value: twoMinutesLater, date: serverNow, receivedAt: 0, expected: 120_000 },
  { name: 'B10 an HTTP-date with a skewed local clock still means 2 minutes', value: twoMinutesLater, date: serverNow, receivedAt: serverNowMs + 3_600_000, expected: 120_000 },
  { name: 'an HTTP-date without a response Date is read against the receive time', value: twoMinutesLater, receivedAt: serverNowMs, expected: 120_000 },
  { name: 'an HTTP-date with an unparsable response Date is read against the receive time', value: twoMinutesLater, date: 'now', receivedAt: serverNowMs + 60_000, expected: 60_000 },
  { name: 'an HTTP-date in the past is now', value: serverNow, date: twoMinutesLater, expected: 0 },
  { name: 'B10 garbage is ignored', value: 'soon', expected: null },
  { name: 'a fraction is garbage', value: '1.5', expected: null },
  { name: 'a number with a unit is garbage', value: '120s', expected: null },
  { name: 'empty is garbage', value: '', expected: null },
  { name: 'absent', value: undefined, expected: null },
];

describe('parseRetryAfter', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(parseRetryAfter(row.value, row.date, row.receivedAt ?? 0)).toBe(row.expected);
    });
  }
});
