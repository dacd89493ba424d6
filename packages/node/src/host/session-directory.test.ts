import { describe, expect, it } from 'vitest';
import { defaultSessionDirectory, sessionDirectoryName, userDataDirectory } from './session-directory.js';

describe('userDataDirectory', () => {
  it('follows each OS convention', () => {
    expect(userDataDirectory({ platform: 'linux', env: {}, home: '/home/me' })).toBe('/home/me/.local/share');
    expect(userDataDirectory({ platform: 'linux', env: { XDG_DATA_HOME: '/data/me' }, home: '/home/me' })).toBe('/data/me');
    expect(userDataDirectory({ platform: 'linux', env: { XDG_DATA_HOME: 'relative' }, home: '/home/me' })).toBe('/home/me/.local/share');
    expect(userDataDirectory({ platform: 'darwin', env: {}, home: '/Users/me' })).toBe('/Users/me/Library/Application Support');
    expect(userDataDirectory({ platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, home: 'C:\\Users\\me' })).toBe('C:\\Users\\me\\AppData\\Local');
    expect(userDataDirectory({ platform: 'win32', env: {}, home: 'C:\\Users\\me' })).toBe('C:\\Users\\me\\AppData\\Local');
  });
});

describe('sessionDirectoryName', () => {
  it('keeps a plain identifier as it is', () => {
    expect(sessionDirectoryName('com.example.sync')).toBe('com.example.sync');
  });

  it('never lets a name climb out or collide after sanitising', () => {
    for (const identifier of ['..', '.', '../etc', 'a/b', 'a\\b', 'A_b', 'a b', 'é']) {
      const name = sessionDirectoryName(identifier);
      expect(name).toMatch(/^[a-z0-9._-]+$/);
      expect(name).not.toMatch(/^\.+$/);
      expect(name).not.toContain('/');
    }
    const names = ['a/b', 'a_b', 'A_b', 'a b', 'a\\b'].map(sessionDirectoryName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps long names short', () => {
    expect(sessionDirectoryName('x'.repeat(1000)).length).toBeLessThan(120);
  });
});

describe('defaultSessionDirectory', () => {
  it('puts the session under bgsession/sessions', () => {
    expect(defaultSessionDirectory('com.example.sync', { platform: 'linux', env: {}, home: '/home/me' })).toBe('/home/me/.local/share/bgsession/sessions/com.example.sync');
  });

  it('refuses an empty identifier with InvalidConfiguration', () => {
    expect(() => defaultSessionDirectory('')).toThrow(expect.objectContaining({ code: 'InvalidConfiguration', field: 'identifier' }));
  });
});
