import { createFileByteStore, createJournalStore, type JournalStore } from '@bgsession/core';
import { describeByteStoreContract, describeFileSystemContract, describeStoreContract } from '@bgsession/testing';
import { createVirtualClock } from '../clock/virtual-clock.js';
import { createSimulatorRandom } from '../random/simulator-random.js';
import type { DiskCall } from './disk-call.js';
import { createLossyDisk, type LossyDisk } from './lossy-disk.js';

async function freshDisk(seed: number, directories: readonly string[]): Promise<LossyDisk> {
  const disk = createLossyDisk({ random: createSimulatorRandom(seed).fork('disk') });
  for (const directory of directories) await disk.fs.mkdir(directory);
  await disk.fs.fsyncDir('/');
  return disk;
}

describeFileSystemContract('lossy disk', async () => {
  const disk = await freshDisk(1, ['/root']);
  return { fs: disk.fs, root: '/root' };
});

function journalFixture(failing: DiskCall, withClock: boolean) {
  return async () => {
    const disk = await freshDisk(2, ['/sessions']);
    const clock = createVirtualClock();
    // `disk.fs` is read at each creation: after a kill it is the next process's file system.
    const make = (): JournalStore => createJournalStore({ fs: disk.fs, directory: '/sessions/photos', ...(withClock ? { clock } : {}) });
    return {
      store: make(),
      reopen: async () => make(),
      // A real kill: the dead process's store is not told, its calls simply stop being answered.
      kill: async () => disk.kill(),
      failNextCommit: () => disk.failNext(failing),
    };
  };
}

describeStoreContract('journal store on the lossy disk, a failing datasync', journalFixture('datasync', false));
describeStoreContract('journal store on the lossy disk, a failing write', journalFixture('write', false));
// With a clock, relaxed commits resolve after their append, before their sync.
describeStoreContract('journal store on the lossy disk with a virtual clock', journalFixture('datasync', true));

describeByteStoreContract('file byte store on the lossy disk', async () => {
  const disk = await freshDisk(3, ['/session', '/downloads']);
  const directory = '/session/bytes';
  return {
    byteStore: createFileByteStore({ fs: disk.fs, directory }),
    directory: '/downloads',
    join: (parent, name) => disk.fs.join(parent, name),
    readFile: async (location) => disk.readFile(location),
    writeFile: async (path, bytes) => disk.writeFile(path, bytes),
    reopen: async () => createFileByteStore({ fs: disk.fs, directory }),
    kill: async () => disk.kill(),
  };
});
