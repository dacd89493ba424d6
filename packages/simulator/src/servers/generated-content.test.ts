import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { sliceBody } from './slice-body.js';
import { bytesContent } from './bytes-content.js';
import { createContentPattern } from './content-pattern.js';
import { generatedContent } from './generated-content.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

describe('generatedContent', () => {
  it('#6 the server content is one fixed byte sequence: any range read equals that range of the whole, every time', () => {
    const length = 3 * 4096 + 123;
    const content = generatedContent({ seed: 7, length });
    const whole = content.read(0, length);
    fc.assert(
      fc.property(fc.nat({ max: length }), fc.nat({ max: length }), (offset, size) => {
        const part = content.read(offset, size);
        expect(equal(part, whole.slice(offset, Math.min(length, offset + size)))).toBe(true);
        expect(equal(part, content.read(offset, size))).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('a splice at a wrong offset is visible: no shifted window equals the original', () => {
    const content = generatedContent({ seed: 3, length: 64 * 4096 });
    const window = content.read(20 * 4096, 8192);
    for (const shift of [-4097, -4096, -1, 1, 8, 4096, 8192, 4096 * 7]) {
      expect(equal(content.read(20 * 4096 + shift, 8192), window), `shift ${shift}`).toBe(false);
    }
  });

  it('the next version has the same length, another tag, and other bytes', () => {
    const content = generatedContent({ seed: 1, length: 10_000 });
    const next = content.nextVersion();
    expect(next.length).toBe(10_000);
    expect(next.tag).not.toBe(content.tag);
    expect(equal(next.read(0, 10_000), content.read(0, 10_000))).toBe(false);
    expect(next.tag).toMatch(/^[A-Za-z0-9.-]+$/);
  });

  it('a 64 MiB content costs nothing until read, and reads past the end are cut', () => {
    const content = generatedContent({ seed: 9, length: 64 * 1024 * 1024 });
    expect(content.read(64 * 1024 * 1024 - 10, 100)).toHaveLength(10);
    expect(content.read(64 * 1024 * 1024, 100)).toHaveLength(0);
  });

  it('a negative or fractional length is refused with InvalidArgument', () => {
    for (const length of [-1, 1.5, Number.NaN]) {
      let caught: unknown = null;
      try {
        generatedContent({ seed: 1, length });
      } catch (error) {
        caught = error;
      }
      expect(isBgSessionError(caught, 'InvalidArgument'), `length ${length}`).toBe(true);
    }
  });
});

describe('generatedContent on a shared pattern', () => {
  const pattern = createContentPattern({ seed: 5, period: 4099 });

  it('#6 the server content is one fixed byte sequence: reads and views of any range agree with the whole', () => {
    const length = 5 * 4099 + 17;
    const content = generatedContent({ seed: 8, length, pattern });
    const whole = content.read(0, length);
    fc.assert(
      fc.property(fc.nat({ max: length }), fc.nat({ max: 4099 }), (offset, size) => {
        const expected = whole.slice(offset, Math.min(length, offset + size));
        expect(equal(content.read(offset, size), expected)).toBe(true);
        expect(equal(content.view?.(offset, size) ?? new Uint8Array(1), expected)).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('views share the pattern (no copy); a range longer than the period is read, not viewed', () => {
    const content = generatedContent({ seed: 8, length: 100_000, pattern });
    expect(content.view?.(10, 4000)?.buffer).toBe(pattern.bytes.buffer);
    expect(content.view?.(0, 5000)).toBeNull();
    expect(sliceBody(content, 50, 60_000).view?.(0, 100)?.buffer).toBe(pattern.bytes.buffer);
  });

  it('a shift that is not a multiple of the period, and another version, give other bytes', () => {
    const content = generatedContent({ seed: 8, length: 100_000, pattern });
    const window = content.read(30_000, 2000);
    for (const shift of [-1, 1, 4096, 4098, 4100, 65_536]) expect(equal(content.read(30_000 + shift, 2000), window), `shift ${shift}`).toBe(false);
    expect(equal(content.nextVersion().read(30_000, 2000), window)).toBe(false);
    expect(content.nextVersion().tag).not.toBe(content.tag);
  });

  it('refuses a period too small to be useful', () => {
    expect(() => createContentPattern({ period: 8 })).toThrow(/period/);
  });
});

describe('bytesContent', () => {
  it('serves a copy of its bytes; the next version differs in every byte', () => {
    const source = new TextEncoder().encode('hello world');
    const content = bytesContent(source, { tag: 'v1' });
    source[0] = 0;
    expect(new TextDecoder().decode(content.read(0, 11))).toBe('hello world');
    const next = content.nextVersion();
    expect(next.tag).toBe('v1.n');
    expect(next.read(0, 11).every((byte, i) => byte !== content.read(i, 1)[0])).toBe(true);
  });

  it('refuses a tag that cannot sit inside an ETag', () => {
    expect(() => bytesContent('x', { tag: 'a"b' })).toThrow(/tag/);
  });
});
