import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { createNodeTestHasher } from './node-test-hasher.js';

describe('createNodeTestHasher', () => {
  it('gives the SHA-256 in SRI form, whatever the chunking', () => {
    const hasher = createNodeTestHasher();
    const whole = hasher.create();
    whole.update(new TextEncoder().encode('abc'));
    // FIPS 180-2 test vector for "abc".
    expect(whole.digest()).toBe('sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
    const split = hasher.create();
    for (const part of ['a', '', 'bc']) split.update(new TextEncoder().encode(part));
    expect(split.digest()).toBe('sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  });

  it('a state that gave its digest takes no more bytes', () => {
    const state = createNodeTestHasher().create();
    state.digest();
    let error: unknown;
    try {
      state.update(new Uint8Array([1]));
    } catch (caught) {
      error = caught;
    }
    expect(isBgSessionError(error, 'InvalidArgument')).toBe(true);
  });
});
