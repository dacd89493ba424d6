import { describe, expect, it } from 'vitest';
import { numberedName } from './numbered-name.js';

describe('numberedName', () => {
  it.each([
    ['report.pdf', 1, 'report (1).pdf'],
    ['report.pdf', 12, 'report (12).pdf'],
    ['archive.tar.gz', 2, 'archive.tar (2).gz'],
    ['README', 3, 'README (3)'],
    ['.env', 1, '.env (1)'],
  ])('%s, %i -> %s', (name, n, expected) => {
    expect(numberedName(name, n)).toBe(expected);
  });
});
