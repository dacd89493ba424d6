import { createMemoryFileSystem } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileSystem } from '../ports/file-system.js';
import { directorySyncGroup } from './file-byte-store-directory-sync.js';

/** A file system whose directory syncs end when the test says, each remembering when it started. */
function heldSyncs() {
  const started: Array<{ path: string; finish: () => void; fail: () => void }> = [];
  const fs: FileSystem = {
    ...createMemoryFileSystem(),
    fsyncDir: (path) =>
      new Promise<void>((resolve, reject) => {
        started.push({ path, finish: resolve, fail: () => reject(new BgSessionError('StoreFailed', 'EIO')) });
      }),
  };
  return { fs, started };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('directorySyncGroup', () => {
  it('callers that arrive while a sync runs share the next one, which starts after it; other directories are apart', async () => {
    const { fs, started } = heldSyncs();
    const sync = directorySyncGroup(fs);
    const done: string[] = [];
    void sync('/d').then(() => done.push('first'));
    await settle();
    // Started before these callers' changes: it must not count for them.
    void sync('/d').then(() => done.push('second'));
    void sync('/d').then(() => done.push('third'));
    void sync('/e').then(() => done.push('other'));
    await settle();
    expect(started.map((s) => s.path)).toEqual(['/d', '/e']);
    started[0]?.finish();
    await settle();
    expect(done).toEqual(['first']);
    expect(started.map((s) => s.path)).toEqual(['/d', '/e', '/d']);
    started[2]?.finish();
    started[1]?.finish();
    await settle();
    expect([...done].sort()).toEqual(['first', 'other', 'second', 'third']);
    // Nothing runs any more: the next caller starts a sync of its own at once.
    void sync('/d');
    await settle();
    expect(started).toHaveLength(4);
  });

  it('a failed sync rejects the callers it was for; the next callers get a sync of their own', async () => {
    const { fs, started } = heldSyncs();
    const sync = directorySyncGroup(fs);
    const first = sync('/d');
    await settle();
    const second = sync('/d');
    started[0]?.fail();
    await expect(first).rejects.toMatchObject({ code: 'StoreFailed' });
    await settle();
    started[1]?.finish();
    await expect(second).resolves.toBeUndefined();
  });
});
