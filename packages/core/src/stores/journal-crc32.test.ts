import { describe, expect, it } from 'vitest';
import { crc32 } from './journal-crc32.js';

describe('crc32', () => {
  it('matches the standard check values (zlib, PNG)', () => {
    const text = (value: string) => new TextEncoder().encode(value);
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    expect(crc32(text('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('covers exactly the range it is given', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
  });
});
