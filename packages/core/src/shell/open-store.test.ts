import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import { defaultConfiguration } from '../model/configuration.js';
import { loadStore } from './open-store.js';

const configuration = { identifier: 'newer', ...defaultConfiguration };

describe('loadStore', () => {
  it('refuses a store in which a newer version wrote anything (UnsupportedStoreVersion), instead of failing at the first commit', () => {
    const contents = {
      header: null,
      records: new Map(),
      problems: [{ code: 'UnsupportedStoreVersion' as const, path: 'journal@4096', message: 'journal frame version 2 is newer than 1' }],
    };
    let thrown: unknown;
    try {
      loadStore(contents, configuration);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BgSessionError);
    expect(thrown).toMatchObject({ code: 'UnsupportedStoreVersion', path: 'journal@4096' });
  });

  it('opens around a CorruptRecord problem, reporting it', () => {
    const contents = { header: null, records: new Map(), problems: [{ code: 'CorruptRecord' as const, path: 'journal@10', message: 'bad checksum' }] };
    expect(loadStore(contents, configuration).problems).toHaveLength(1);
  });
});
