import { createMemoryFileSystem } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../ports/file-system.js';
import { fileByteStoreLayout, isFileByteStoreKey } from './file-byte-store-layout.js';

/** A file system whose `join` speaks Windows, for the path arithmetic only. */
function windowsLike(): FileSystem {
  return { ...createMemoryFileSystem(), join: (...segments: string[]) => segments.filter((s) => s !== '').join('\\') };
}

describe('fileByteStoreLayout', () => {
  it.each([
    ['/downloads/a.txt', '/downloads', 'a.txt'],
    ['/a.txt', '/', 'a.txt'],
    ['/downloads/sub/', '/downloads', 'sub'],
  ])('POSIX: %s is %s and %s', (path, parent, name) => {
    const layout = fileByteStoreLayout(createMemoryFileSystem(), '/store');
    expect(layout.parentOf(path)).toBe(parent);
    expect(layout.nameOf(path)).toBe(name);
  });

  it.each([
    ['C:\\Users\\me\\a.txt', 'C:\\Users\\me', 'a.txt'],
    ['C:\\a.txt', 'C:\\', 'a.txt'],
    ['C:/Users/me/a.txt', 'C:/Users/me', 'a.txt'],
    ['\\\\server\\share\\a.txt', '\\\\server\\share', 'a.txt'],
  ])('Windows: %s is in %s, named %s', (path, parent, name) => {
    const layout = fileByteStoreLayout(windowsLike(), 'C:\\store');
    expect(layout.parentOf(path)).toBe(parent);
    expect(layout.nameOf(path)).toBe(name);
    expect(layout.partPath('part-1')).toBe('C:\\store\\parts\\part-1');
  });

  it('a relative path has no parent the store could check: InvalidArgument', () => {
    const layout = fileByteStoreLayout(createMemoryFileSystem(), '/store');
    expect(() => layout.parentOf('a.txt')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('keys are plain lower-case names the core makes, nothing that could be a path or a device', () => {
    for (const key of ['part-1', 'body-22', 'response-3', 'a.b_c-d', 'x'.repeat(200)]) expect(isFileByteStoreKey(key)).toBe(true);
    for (const key of ['', '.', '..', '.hidden', 'a/b', 'a\\b', 'Part-1', 'com1', 'aux.txt', 'a.', 'x'.repeat(201), 'a b']) {
      expect(isFileByteStoreKey(key), key).toBe(false);
    }
  });
});
