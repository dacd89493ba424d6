import { describe, expect, it } from 'vitest';
import { describeFileSystemContract } from './file-system-contract.js';
import { expectRejection } from './expect-rejection.js';
import { createMemoryFileSystem } from './memory-file-system.js';

describeFileSystemContract('memory file system', async () => {
  const fs = createMemoryFileSystem();
  await fs.mkdir('/root');
  return { fs, root: '/root' };
});

describe('createMemoryFileSystem', () => {
  it('a hard link shares the bytes of its source', async () => {
    const fs = createMemoryFileSystem();
    const handle = await fs.open('/a', { mode: 'rw', create: true });
    await fs.link('/a', '/b');
    await handle.write(new TextEncoder().encode('shared'), 0);
    expect((await fs.lstat('/b'))?.size).toBe(6);
    expect((await fs.lstat('/a'))?.identity).toBe((await fs.lstat('/b'))?.identity);
  });

  it('renaming a directory moves what it holds', async () => {
    const fs = createMemoryFileSystem();
    await fs.mkdir('/d');
    await (await fs.open('/d/f', { mode: 'rw', create: true })).close();
    await fs.rename('/d', '/e');
    expect(await fs.readdir('/e')).toEqual(['f']);
    expect(await fs.lstat('/d/f')).toBeNull();
  });

  it('a read-only handle refuses writes; a closed one refuses everything', async () => {
    const fs = createMemoryFileSystem();
    await (await fs.open('/f', { mode: 'rw', create: true })).close();
    const handle = await fs.open('/f', { mode: 'r' });
    await expectRejection(handle.write(new Uint8Array([1]), 0), 'PermissionDenied');
    await handle.close();
    await expectRejection(handle.size(), 'StoreFailed');
  });

  it('join keeps the platform syntax for relative and absolute paths', () => {
    const fs = createMemoryFileSystem();
    expect(fs.join('a', 'b')).toBe('a/b');
    expect(fs.join('/root/', 'x', '../y')).toBe('/root/y');
  });
});
