import { createMemoryFileSystem, describeByteStoreContract } from '@bgsession/testing';
import { createFileByteStore } from './file-byte-store.js';
import { readFileBytes, writeFileBytes } from './file-byte-store-faults.test-helpers.js';

describeByteStoreContract('file byte store on the memory file system', async () => {
  const fs = createMemoryFileSystem();
  await fs.mkdir('/session');
  await fs.mkdir('/downloads');
  const directory = '/session/bytes';
  return {
    byteStore: createFileByteStore({ fs, directory }),
    directory: '/downloads',
    join: (parent, name) => fs.join(parent, name),
    readFile: (location) => readFileBytes(fs, location),
    writeFile: (path, bytes) => writeFileBytes(fs, path, bytes),
    reopen: async () => createFileByteStore({ fs, directory }),
    // A killed process's writes are already in the OS's cache, which the memory file system is:
    // there is nothing to undo, and the old instance is simply never used again.
    kill: async () => undefined,
  };
});
