import { createManualClock, describeStoreContract } from '@bgsession/testing';
import type { Clock } from '../ports/clock.js';
import { createJournalTestDisk, type DiskCall } from './journal-disk.test-helpers.js';
import { createJournalStore, type JournalStore } from './journal-store.js';

function fixture(failing: DiskCall, clock?: Clock) {
  return async () => {
    const disk = createJournalTestDisk();
    await disk.fs.mkdir('/sessions');
    const make = (): JournalStore => createJournalStore({ fs: disk.fs, directory: '/sessions/photos', ...(clock === undefined ? {} : { clock }) });
    const instances = [make()];
    return {
      store: instances[0] as JournalStore,
      reopen: async () => {
        const next = make();
        instances.push(next);
        return next;
      },
      kill: async () => {
        for (const instance of instances) await instance.fence();
      },
      failNextCommit: () => disk.failNext(failing),
    };
  };
}

describeStoreContract('journal store, a failing datasync', fixture('datasync'));
describeStoreContract('journal store, a failing write', fixture('write'));
// With a clock, relaxed commits resolve after their append, before their sync.
describeStoreContract('journal store with a clock', fixture('datasync', createManualClock()));
