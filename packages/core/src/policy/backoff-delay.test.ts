import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../model/configuration.js';
import { backoffDelay } from './backoff-delay.js';

const policy: RetryPolicy = { base: 1000, cap: 600_000, maxAttempts: null };

const rows: ReadonlyArray<{ name: string; exponent: number; draw: number; policy?: RetryPolicy; expected: number }> = [
  { name: 'first backoff, half draw: half the base', exponent: 0, draw: 0.5, expected: 500 },
  { name: 'a draw of 0 retries at once', exponent: 4, draw: 0, expected: 0 },
  { name: 'exponent 3 doubles three times', exponent: 3, draw: 0.5, expected: 4000 },
  { name: 'the delay is floored to whole ms', exponent: 0, draw: 0.0015, expected: 1 },
  { name: 'the largest draw stays below the ceiling', exponent: 0, draw: 1 - Number.EPSILON, expected: 999 },
  { name: 'the ceiling is capped', exponent: 20, draw: 0.5, expected: 300_000 },
  { name: 'exponent 1100 (2^n is Infinity) does not overflow: capped', exponent: 1100, draw: 0.5, expected: 300_000 },
  { name: 'an infinite exponent is capped', exponent: Number.POSITIVE_INFINITY, draw: 0.5, expected: 300_000 },
  { name: 'a negative exponent counts as 0', exponent: -3, draw: 0.5, expected: 500 },
  { name: 'a NaN exponent counts as 0', exponent: Number.NaN, draw: 0.5, expected: 500 },
  { name: 'a NaN draw retries at once', exponent: 2, draw: Number.NaN, expected: 0 },
  { name: 'a draw of 1 (outside the Random port contract) stays below the ceiling', exponent: 0, draw: 1, expected: 999 },
  { name: 'a zero base never waits (no NaN from 0 * Infinity)', exponent: 5000, draw: 0.5, policy: { ...policy, base: 0 }, expected: 0 },
  { name: 'a zero cap never waits', exponent: 3, draw: 0.5, policy: { ...policy, cap: 0 }, expected: 0 },
];

describe('backoffDelay', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(backoffDelay(row.exponent, row.draw, row.policy ?? policy)).toBe(row.expected);
    });
  }
});
