import { describe, expect, it } from 'vitest';
import { parseSafeInteger, type SafeIntegerResult } from './safe-integer.js';

const rows: ReadonlyArray<{ name: string; text: string; expected: SafeIntegerResult }> = [
  { name: 'zero', text: '0', expected: 0 },
  { name: 'leading zeros', text: '0042', expected: 42 },
  { name: 'largest safe integer', text: '9007199254740991', expected: Number.MAX_SAFE_INTEGER },
  { name: '2^53 is unsafe (it would collide with 2^53 + 1)', text: '9007199254740992', expected: 'unsafe' },
  { name: '2^53 + 1 is unsafe, not rounded', text: '9007199254740993', expected: 'unsafe' },
  { name: 'a 100-digit number is unsafe', text: '9'.repeat(100), expected: 'unsafe' },
  { name: 'empty is not a number', text: '', expected: null },
  { name: 'a sign is not a digit', text: '+1', expected: null },
  { name: 'a minus sign is not a digit', text: '-1', expected: null },
  { name: 'a decimal point is not a digit', text: '1.5', expected: null },
  { name: 'exponent notation is not digits', text: '1e3', expected: null },
  { name: 'hex is not decimal', text: '0x10', expected: null },
  { name: 'inner space', text: '4 2', expected: null },
  { name: 'non-ASCII digits', text: '٤٢', expected: null },
];

describe('parseSafeInteger', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(parseSafeInteger(row.text)).toBe(row.expected);
    });
  }
});
