import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPropertySeed, propertySeed } from './property-seed.js';

describe('the seed property tests run from', () => {
  it('is fixed in a default run, so the same commit passes or fails the same way everywhere', () => {
    expect(propertySeed({})).toBe(defaultPropertySeed);
    // The setup file applied it to this very run (unless the run chose otherwise).
    if (process.env['BGSESSION_PROPERTY_SEED'] === undefined && process.env['BGSESSION_PROPERTY_RUNS'] === undefined) {
      expect(fc.readConfigureGlobal().seed).toBe(defaultPropertySeed);
    }
  });

  it('is random in a long run, which is there to explore, unless one is named', () => {
    expect(propertySeed({ BGSESSION_PROPERTY_RUNS: '300' })).toBeUndefined();
    expect(propertySeed({ BGSESSION_PROPERTY_RUNS: '300', BGSESSION_PROPERTY_SEED: '42' })).toBe(42);
    expect(propertySeed({ BGSESSION_PROPERTY_SEED: 'random' })).toBeUndefined();
  });

  it('replays a seed as fast-check prints it, and refuses anything else', () => {
    expect(propertySeed({ BGSESSION_PROPERTY_SEED: '815402358' })).toBe(815402358);
    expect(propertySeed({ BGSESSION_PROPERTY_SEED: '-1208341' })).toBe(-1208341);
    for (const bad of ['abc', '1.5', '1e20', 'NaN']) expect(() => propertySeed({ BGSESSION_PROPERTY_SEED: bad })).toThrow(/BGSESSION_PROPERTY_SEED/);
  });
});
