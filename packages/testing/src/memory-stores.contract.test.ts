import {
  createMemoryByteStore,
  createMemoryByteStoreData,
  createMemoryStore,
  createMemoryStoreData,
  type MemoryByteStore,
  type MemoryStore,
} from '@bgsession/core';
import { describeByteStoreContract } from './byte-store-contract.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('core memory store', async () => {
  const data = createMemoryStoreData();
  const instances: MemoryStore[] = [createMemoryStore({ data })];
  const store = instances[0] as MemoryStore;
  return {
    store,
    reopen: async () => {
      const next = createMemoryStore({ data });
      instances.push(next);
      return next;
    },
    kill: async () => {
      for (const instance of instances) instance.fence();
    },
    failNextCommit: () => store.failNextCommit('EIO'),
  };
});

for (const unsyncedSurviveWriter of [true, false]) {
  describeByteStoreContract(`core memory byte store (unsyncedSurviveWriter: ${unsyncedSurviveWriter})`, async () => {
    const data = createMemoryByteStoreData();
    const instances: MemoryByteStore[] = [createMemoryByteStore({ data, unsyncedSurviveWriter })];
    return {
      byteStore: instances[0] as MemoryByteStore,
      directory: '/downloads',
      join: (directory, name) => `${directory}/${name}`,
      readFile: async (location) => data.readFile(location),
      writeFile: async (path, bytes) => {
        data.files.set(path, bytes.slice());
      },
      reopen: async () => {
        const next = createMemoryByteStore({ data, unsyncedSurviveWriter });
        instances.push(next);
        return next;
      },
      kill: async () => {
        for (const instance of instances) instance.fence();
      },
    };
  });
}
