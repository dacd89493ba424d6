import { describe, expect, it } from 'vitest';
import { crc32 } from './journal-crc32.js';

describe('crc32', () => {
  it('matches the standard check values (zlib, PNG)', () => {
    const text = (value: string) => new TextEncoder().encode(value);
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    expect(crc32(text('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('agrees with the byte-at-a-time definition for every length and offset (four bytes are folded per step)', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff);
    const slow = (from: number, to: number): number => {
      let crc = 0xffffffff;
      for (let i = from; i < to; i += 1) {
        crc ^= bytes[i] as number;
        for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    for (let from = 0; from < 8; from += 1) for (let to = from; to <= bytes.length; to += 1) expect(crc32(bytes, from, to)).toBe(slow(from, to));
  });

  it('covers exactly the range it is given', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
  });
});
