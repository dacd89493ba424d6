import { describe, expect, it } from 'vitest';
import { parseRangeHeader } from './range-header.js';

describe('parseRangeHeader', () => {
  it.each([
    ['bytes=4-', 10, { first: 4, last: 9 }],
    ['bytes=2-5', 10, { first: 2, last: 5 }],
    ['bytes=2-50', 10, { first: 2, last: 9 }],
    ['bytes=-3', 10, { first: 7, last: 9 }],
    ['bytes=-30', 10, { first: 0, last: 9 }],
    ['bytes=10-', 10, 'unsatisfiable'],
    ['bytes=-0', 10, 'unsatisfiable'],
    ['bytes=5-2', 10, 'ignore'],
    ['bytes=0-1,4-5', 10, 'ignore'],
    ['items=0-1', 10, 'ignore'],
    ['bytes=99999999999999999999-', 10, 'ignore'],
    ['garbage', 10, 'ignore'],
  ] as const)('%s of %i bytes -> %j', (value, length, expected) => {
    expect(parseRangeHeader(value, length)).toEqual(expected);
  });
});
