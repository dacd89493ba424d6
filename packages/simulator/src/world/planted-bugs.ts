import { decodeTaskRecord, isTerminalPhase, type ByteStore, type Connectivity, type FileSystem, type SessionConfigurationInput, type Store, type StoreBatch, type Transport } from '@bgsession/core';

/**
 * TEST-ONLY bugs the world can plant in the ports it gives the session, so that a property test
 * can show it catches them (invariants.md: each property must be shown able to fail). A world
 * without `planted` runs the shipped code untouched.
 */
export interface PlantedWorldBugs {
  /** #1: the Store drops every task-record put (the records never reach the journal). */
  readonly storeDropsTaskPuts?: boolean;
  /** #2: the Store drops outbox deletes: acknowledgements are recorded but not made durable. */
  readonly storeDropsAcknowledgements?: boolean;
  /**
   * #3: outbox puts are held back to the next commit (a write-behind cache): the commit that
   * resolves has not made the event durable yet.
   */
  readonly storeDefersEvents?: boolean;
  /** #4: the Store drops ended task records and task deletes: a relaunch finds the task unfinished. */
  readonly storeForgetsEnds?: boolean;
  /** #5: the Store opens with the highest task identifier of the records left, not the header's. */
  readonly storeForgetsHighestIdentifier?: boolean;
  /** #7: the ByteStore reports partial lengths rounded down to whole MiB, as if the tail were gone. */
  readonly byteStoreRoundsLengthDown?: boolean;
  /** #6 and #9: the ByteStore hands a part over without its last 4 KiB. */
  readonly byteStoreHandsOverShort?: boolean;
  /** #6 and #8: the transport sends Range without If-Range. */
  readonly transportStripsIfRange?: boolean;
  /** #10: the transport hides Retry-After from the core. */
  readonly transportHidesRetryAfter?: boolean;
  /** #14: the session runs with no connection or task limit (the checker keeps the configured ones). */
  readonly ignoreLimits?: boolean;
  /** #11: the session runs with a week's resource timeout (the checker keeps the configured one). */
  readonly ignoreResourceTimeout?: boolean;
  /** #12: the Store drops every task record's due time, so a relaunch finds backoffs due at once. */
  readonly storeForgetsDueTimes?: boolean;
  /**
   * #13: the Store drops the durable record that a non-idempotent attempt started, so a relaunch
   * takes a request cut by the host's death for one that never left.
   */
  readonly storeForgetsAttemptStarts?: boolean;
  /** #15: the Connectivity port reports every network as neither expensive nor constrained. */
  readonly connectivityHidesCost?: boolean;
  /**
   * #15: the Connectivity port answers `current()` right but tells its subscribers of a change only
   * once `current()` is next read (just after, in a microtask): the session checks the network
   * before each attempt, yet an attempt running when the network stops allowing it runs on until
   * the session next reads the network. (A port that never calls its subscribers would make the
   * session grant slots it then refuses, over and over, in no virtual time: the world would hang.)
   */
  readonly connectivityChangesHeardOnRead?: boolean;
  /** #19: the Store drops every task record's description. */
  readonly storeDropsDescriptions?: boolean;
  /** #20: the ByteStore leaves a copy of each handed-over file next to its location (`<location>.part`). */
  readonly byteStoreWritesBesideDestination?: boolean;
  /** #21: the transport adds the last Authorization it carried to every later request without one (redirect hops included). */
  readonly transportKeepsAuthorization?: boolean;
  /** The scheduler keeps strict priority order, with no aging (#16). */
  readonly schedulerWithoutAging?: boolean;
}

/** The configuration the session runs with: the app's, unless a planted bug ignores part of it. */
export function plantedConfiguration<C extends SessionConfigurationInput>(configuration: C, planted: PlantedWorldBugs): C {
  let running: C = configuration;
  if (planted.ignoreLimits === true) running = { ...running, maxConnectionsPerHost: 1000, maxConcurrentTasks: 1000 };
  if (planted.ignoreResourceTimeout === true) running = { ...running, timeoutForResource: 7 * 24 * 60 * 60 * 1000 };
  return running;
}

/** The buggy Store below the trace's recording (the trace shows what the runtime asked for). */
export function plantedInnerStore(store: Store, planted: PlantedWorldBugs): Store {
  const dropped = (operation: StoreBatch['operations'][number]): boolean => {
    if (planted.storeDropsTaskPuts === true && operation.collection === 'tasks' && operation.type === 'put') return true;
    if (planted.storeDropsAcknowledgements === true && operation.collection === 'outbox' && operation.type === 'delete') return true;
    if (planted.storeForgetsEnds === true && operation.collection === 'tasks') {
      if (operation.type === 'delete') return true;
      const decoded = decodeTaskRecord(operation.value);
      return decoded._tag === 'Right' && isTerminalPhase(decoded.right.phase);
    }
    return false;
  };
  const buggy = planted.storeDropsTaskPuts === true || planted.storeDropsAcknowledgements === true || planted.storeForgetsEnds === true;
  return {
    capabilities: store.capabilities,
    async open() {
      const contents = await store.open();
      if (planted.storeForgetsHighestIdentifier !== true || typeof contents.header !== 'object' || contents.header === null) return contents;
      const keys = [...(contents.records.get('tasks')?.keys() ?? [])].map(Number);
      return { ...contents, header: { ...contents.header, highestTaskIdentifier: Math.max(0, ...keys) } };
    },
    close: () => store.close(),
    commit(batch) {
      let operations = buggy ? batch.operations.filter((operation) => !dropped(operation)) : batch.operations;
      if (planted.storeForgetsDueTimes === true) operations = operations.map(withoutDueTime);
      if (planted.storeForgetsAttemptStarts === true) operations = operations.map((operation) => taskRecordEdited(operation, (value) => ({ ...value, attempts: { ...(value['attempts'] as object), startRecorded: false } })));
      if (planted.storeDropsDescriptions === true) operations = operations.map((operation) => taskRecordEdited(operation, (value) => ({ ...value, taskDescription: null })));
      return store.commit({ ...batch, operations });
    },
  };
}

/** The buggy Store above the trace's recording (the trace shows what became durable, and when). */
export function plantedOuterStore(store: Store, planted: PlantedWorldBugs): Store {
  if (planted.storeDefersEvents !== true) return store;
  let held: StoreBatch['operations'][number][] = [];
  return {
    capabilities: store.capabilities,
    open: () => store.open(),
    close: () => store.close(),
    commit(batch) {
      const now = batch.operations.filter((operation) => !(operation.collection === 'outbox' && operation.type === 'put'));
      const operations = [...held, ...now];
      held = batch.operations.filter((operation) => operation.collection === 'outbox' && operation.type === 'put');
      return store.commit({ ...batch, operations });
    },
  };
}

function withoutDueTime(operation: StoreBatch['operations'][number]): StoreBatch['operations'][number] {
  return taskRecordEdited(operation, (value) => ({ ...value, dueAt: null }));
}

function taskRecordEdited(operation: StoreBatch['operations'][number], edit: (value: Record<string, unknown>) => Record<string, unknown>): StoreBatch['operations'][number] {
  if (operation.collection !== 'tasks' || operation.type !== 'put' || typeof operation.value !== 'object' || operation.value === null) return operation;
  return { ...operation, value: edit(operation.value as Record<string, unknown>) };
}

/** The buggy Connectivity. */
export function plantedConnectivity(connectivity: Connectivity, planted: PlantedWorldBugs): Connectivity {
  if (planted.connectivityChangesHeardOnRead === true) return heardOnRead(connectivity);
  if (planted.connectivityHidesCost !== true) return connectivity;
  const cheap = (state: ReturnType<Connectivity['current']>) => ({ ...state, expensive: false, constrained: false });
  return {
    current: () => cheap(connectivity.current()),
    subscribe: (listener) => connectivity.subscribe((state) => listener(cheap(state))),
  };
}

function heardOnRead(connectivity: Connectivity): Connectivity {
  const listeners = new Set<{ readonly listener: (state: ReturnType<Connectivity['current']>) => void }>();
  let told = connectivity.current();
  return {
    current() {
      const state = connectivity.current();
      if (state.online !== told.online || state.expensive !== told.expensive || state.constrained !== told.constrained) {
        told = state;
        void Promise.resolve().then(() => {
          for (const entry of [...listeners]) if (listeners.has(entry)) entry.listener(state);
        });
      }
      return state;
    },
    subscribe(listener) {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

const MiB = 1024 * 1024;

/** The buggy ByteStore; `fs` is the process's file system (for the bug that writes beside a destination). */
export function plantedByteStore(byteStore: ByteStore, planted: PlantedWorldBugs, fs?: FileSystem): ByteStore {
  if (planted.byteStoreWritesBesideDestination === true && fs !== undefined) return writingBeside(byteStore, fs);
  if (planted.byteStoreRoundsLengthDown !== true && planted.byteStoreHandsOverShort !== true) return byteStore;
  return {
    ...bound(byteStore),
    async length(key) {
      const length = await byteStore.length(key);
      return planted.byteStoreRoundsLengthDown === true && length !== null ? Math.floor(length / MiB) * MiB : length;
    },
    async handOver(key, request) {
      if (planted.byteStoreHandsOverShort === true) {
        const length = await byteStore.length(key);
        if (length !== null && length > 0) await byteStore.truncate(key, Math.max(0, length - 4096));
      }
      return byteStore.handOver(key, request);
    },
  };
}

/** The buggy transport (outside the attempt log, so the log shows what went on the wire). */
export function plantedTransport(transport: Transport, planted: PlantedWorldBugs): Transport {
  if (planted.transportStripsIfRange !== true && planted.transportHidesRetryAfter !== true && planted.transportKeepsAuthorization !== true) return transport;
  let authorization: string | undefined;
  return {
    capabilities: transport.capabilities,
    async start(request) {
      const headers: Record<string, string> = { ...request.headers };
      if (planted.transportStripsIfRange === true) delete headers['if-range'];
      if (planted.transportKeepsAuthorization === true) {
        authorization = headers['authorization'] ?? authorization;
        if (authorization !== undefined) headers['authorization'] = authorization;
      }
      const response = await transport.start({ ...request, headers });
      if (planted.transportHidesRetryAfter !== true) return response;
      const { 'retry-after': _hidden, ...shown } = response.head.headers;
      return { ...response, head: { ...response.head, headers: shown } };
    },
  };
}

function writingBeside(byteStore: ByteStore, fs: FileSystem): ByteStore {
  return {
    ...bound(byteStore),
    async handOver(key, request) {
      const result = await byteStore.handOver(key, request);
      if (!result.inStore) {
        const handle = await fs.open(`${result.location}.part`, { mode: 'rw', create: true });
        await handle.write(new Uint8Array([1, 2, 3]), 0);
        await handle.close();
      }
      return result;
    },
  };
}

function bound(byteStore: ByteStore): ByteStore {
  return {
    capabilities: byteStore.capabilities,
    bootIdentity: () => byteStore.bootIdentity(),
    length: (key) => byteStore.length(key),
    append: (key, bytes) => byteStore.append(key, bytes),
    sync: (key) => byteStore.sync(key),
    truncate: (key, length) => byteStore.truncate(key, length),
    read: (key, offset) => byteStore.read(key, offset),
    delete: (key) => byteStore.delete(key),
    keys: () => byteStore.keys(),
    handOver: (key, request) => byteStore.handOver(key, request),
    locationSize: (location) => byteStore.locationSize(location),
    deleteLocation: (location) => byteStore.deleteLocation(location),
  };
}
