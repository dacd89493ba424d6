import {
  createMemoryByteStore,
  createMemoryByteStoreData,
  createMemoryStore,
  createMemoryStoreData,
  createSession,
  type HostOptions,
  type MemoryByteStore,
  type MemoryByteStoreData,
  type MemoryStore,
  type MemoryStoreData,
  type Session,
  type SessionConfigurationInput,
  type Transport,
} from '@bgsession/core';
import { createManualClock, type ManualClock } from './manual-clock.js';
import { createMemoryConnectivity, type MemoryConnectivity } from './memory-connectivity.js';
import { createNodeTestHasher } from './node-test-hasher.js';
import { createSeededRandom, type SeededRandom } from './seeded-random.js';

/** Options of `createMemoryHost`. */
export interface MemoryHostOptions {
  readonly transport: Transport;
  /** Seed of the Random port (backoff draws, event ids). */
  readonly seed?: number;
  /** Wall-clock start, ms. */
  readonly now?: number;
}

/** A host process on in-memory adapters whose store outlives it: open, kill, open again. */
export interface MemoryHost {
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  readonly connectivity: MemoryConnectivity;
  readonly storeData: MemoryStoreData;
  readonly byteData: MemoryByteStoreData;
  /** The store and byte store of the host now running, or null. */
  readonly current: { readonly store: MemoryStore; readonly byteStore: MemoryByteStore; readonly session: Session } | null;
  /** Opens the session as a new process would. */
  open(configuration: SessionConfigurationInput, hostOptions?: HostOptions): Promise<Session>;
  /**
   * Kills the running host like SIGKILL: its store and byte store are fenced first, so nothing it
   * does afterwards reaches them, then its activity is stopped. Unsynced bytes survive (OS cache).
   */
  kill(): Promise<void>;
}

/**
 * A session host on the in-memory Store and ByteStore, a manual clock, a seeded Random and memory
 * connectivity, for tests and demos that kill and relaunch a host without a real process.
 *
 * @example
 * ```ts
 * const host = createMemoryHost({ transport: createScriptedTransport([serveBytes(content, { etag: '"v1"' })]) });
 * const session = await host.open({ identifier: 'demo' }, { listener });
 * await host.kill();
 * const again = await host.open({ identifier: 'demo' }, { listener });
 * ```
 */
export function createMemoryHost(options: MemoryHostOptions): MemoryHost {
  const clock = createManualClock(options.now === undefined ? {} : { now: options.now });
  const random = createSeededRandom(options.seed ?? 1);
  const connectivity = createMemoryConnectivity();
  const storeData = createMemoryStoreData();
  const byteData = createMemoryByteStoreData();
  const hasher = createNodeTestHasher();
  let current: MemoryHost['current'] = null;
  return {
    clock,
    random,
    connectivity,
    storeData,
    byteData,
    get current() {
      return current;
    },
    async open(configuration, hostOptions) {
      const store = createMemoryStore({ data: storeData });
      const byteStore = createMemoryByteStore({ data: byteData });
      const session = await createSession({
        ports: { store, byteStore, transport: options.transport, clock, random, connectivity, hasher },
        configuration,
        ...(hostOptions === undefined ? {} : { hostOptions }),
      });
      current = { store, byteStore, session };
      return session;
    },
    async kill() {
      if (current === null) return;
      const { store, byteStore, session } = current;
      current = null;
      store.fence();
      byteStore.fence();
      await session.close();
    },
  };
}
