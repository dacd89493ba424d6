import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFileSystemContract } from '@bgsession/testing';
import { createNodeFileSystem } from './node-file-system.js';

async function fixture(options: Parameters<typeof createNodeFileSystem>[0]) {
  const root = await mkdtemp(join(tmpdir(), 'bgsession-fs-'));
  return {
    fs: createNodeFileSystem(options),
    root,
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

describeFileSystemContract('node file system', () => fixture({}));

// The socket-file lock of macOS and the BSDs runs on Linux too: the contract holds with it as well.
if (process.platform !== 'win32') {
  describeFileSystemContract('node file system, socket-file lock', () => fixture({ platform: 'darwin' }));
}
