import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { createNodeHasher } from './node-hasher.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('the Node hasher', () => {
  it('gives the SHA-256 of the FIPS 180-2 vectors in Subresource Integrity form', () => {
    const hasher = createNodeHasher();
    const abc = hasher.create();
    abc.update(bytes('abc'));
    expect(abc.digest()).toBe('sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    expect(hasher.create().digest()).toBe('sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  });

  it('refuses a state that already gave its digest with a BgSessionError', () => {
    const state = createNodeHasher().create();
    state.digest();
    expect(() => state.update(bytes('late'))).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    let caught: unknown;
    try {
      state.digest();
    } catch (error) {
      caught = error;
    }
    expect(isBgSessionError(caught, 'InvalidArgument')).toBe(true);
  });
});
