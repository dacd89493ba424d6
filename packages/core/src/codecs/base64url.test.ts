import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';

const numRuns = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

describe('base64url', () => {
  it('encodes as Node does and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(decodeBase64Url(text)).toEqual(bytes);
      }),
      { numRuns },
    );
  });

  it.each(['a', 'ab=', 'a+b/', 'ab c', 'AB', 'é', '😀😀'])('refuses %j, which no bytes encode to', (text) => {
    expect(decodeBase64Url(text)).toBeNull();
  });
});
