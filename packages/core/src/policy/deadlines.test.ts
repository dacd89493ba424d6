import { describe, expect, it } from 'vitest';
import { clampDueTime, isExpired, resourceDeadline, type DueTimeKind } from './deadlines.js';

const DAY = 86_400_000;
const cap = 600_000;
const now = 1_000_000_000_000;

describe('resourceDeadline', () => {
  it('is the creation instant plus timeoutForResource', () => {
    expect(resourceDeadline(now, 7 * DAY)).toBe(now + 7 * DAY);
  });
  it('B15 counts time the host was dead: it does not depend on anything but creation', () => {
    const deadline = resourceDeadline(now, 7 * DAY);
    expect(isExpired(deadline, now + 7 * DAY + 1)).toBe(true);
  });
});

const clampRows: ReadonlyArray<{ name: string; stored: number; kind: DueTimeKind; expected: number }> = [
  { name: 'a backoff due within the cap is kept', stored: now + 30_000, kind: 'backoff', expected: now + 30_000 },
  { name: 'a backoff due exactly at now + cap is kept', stored: now + cap, kind: 'backoff', expected: now + cap },
  { name: 'a backoff due in the past is kept (it is due now)', stored: now - 5_000, kind: 'backoff', expected: now - 5_000 },
  { name: 'a backoff due a year away (the clock went back) is clamped to now + cap', stored: now + 365 * DAY, kind: 'backoff', expected: now + cap },
  { name: 'an earliestBegin a year away is never clamped', stored: now + 365 * DAY, kind: 'earliestBegin', expected: now + 365 * DAY },
  { name: 'an earliestBegin in the past is kept', stored: now - 5_000, kind: 'earliestBegin', expected: now - 5_000 },
];

describe('clampDueTime', () => {
  for (const row of clampRows) {
    it(row.name, () => {
      expect(clampDueTime(row.stored, now, cap, row.kind)).toBe(row.expected);
    });
  }
});

const expiryRows: ReadonlyArray<{ name: string; deadline: number; now: number; expected: boolean }> = [
  { name: 'before the deadline', deadline: now, now: now - 1, expected: false },
  { name: 'at the deadline', deadline: now, now, expected: true },
  { name: 'after the deadline', deadline: now, now: now + 1, expected: true },
];

describe('isExpired', () => {
  for (const row of expiryRows) {
    it(row.name, () => {
      expect(isExpired(row.deadline, row.now)).toBe(row.expected);
    });
  }
});
