import { BgSessionError, type CancelTimer, type Clock, type Connectivity, type FileHandle, type FileLock, type FileSystem, type SessionListener, type Transport } from '@bgsession/core';
import type { ProcessLife } from './process-life.js';

/**
 * The Clock as one process sees it: its timers fire only while it runs (those due during a
 * suspension fire at the resume, in order), and are cancelled when it dies.
 *
 * @example
 * ```ts
 * const clock = processClock(world.clock, life);
 * clock.setTimer(1000, () => console.log('only if the process is alive then'));
 * ```
 */
export function processClock(clock: Clock, life: ProcessLife): Clock {
  return {
    now: () => clock.now(),
    monotonic: () => clock.monotonic(),
    setTimer(delay, fire): CancelTimer {
      if (life.state === 'dead') return () => undefined;
      let forget: () => void = () => undefined;
      const cancel = clock.setTimer(delay, () => {
        forget();
        life.whenRunning(fire);
      });
      forget = life.atDeath(cancel);
      return () => {
        forget();
        cancel();
      };
    },
  };
}

/**
 * The FileSystem as one process sees it: every call starts only while the process runs and
 * reports back only while it still runs, so a killed process never touches the disk again.
 * (The disk itself decides what of the process's writes survived: see the lossy disk.)
 *
 * @example
 * ```ts
 * const fs = processFileSystem(world.disk, life);
 * ```
 */
export function processFileSystem(fs: FileSystem, life: ProcessLife): FileSystem {
  // The handles it holds, released at its death: a test may keep the dead session's objects (the
  // first session of a run, in a variable), and they must not keep the machine's files alive.
  const held = new Set<{ handle: FileHandle | null }>();
  life.atDeath(() => {
    for (const reference of held) reference.handle = null;
    held.clear();
  });
  const handleOf = (handle: FileHandle): FileHandle => {
    const reference: { handle: FileHandle | null } = { handle };
    held.add(reference);
    const use = <T>(operation: (open: FileHandle) => Promise<T>): Promise<T> =>
      life.gate(() => (reference.handle === null ? Promise.reject(new BgSessionError('StoreFailed', 'The file handle is closed.')) : operation(reference.handle)));
    return {
      read: (position, length) => use((open) => open.read(position, length)),
      write: (bytes, position) => use((open) => open.write(bytes, position)),
      datasync: () => use((open) => open.datasync()),
      truncate: (length) => use((open) => open.truncate(length)),
      size: () => use((open) => open.size()),
      close: () =>
        use(async (open) => {
          await open.close();
          reference.handle = null;
          held.delete(reference);
        }),
    };
  };
  const lockOf = (lock: FileLock): FileLock => ({ release: () => life.gate(() => lock.release()) });
  return {
    open: (path, options) => life.gate(async () => handleOf(await fs.open(path, options))),
    lstat: (path) => life.gate(() => fs.lstat(path)),
    readdir: (path) => life.gate(() => fs.readdir(path)),
    mkdir: (path) => life.gate(() => fs.mkdir(path)),
    rename: (from, to) => life.gate(() => fs.rename(from, to)),
    link: (from, to) => life.gate(() => fs.link(from, to)),
    unlink: (path) => life.gate(() => fs.unlink(path)),
    fsyncDir: (path) => life.gate(() => fs.fsyncDir(path)),
    join: (...segments) => fs.join(...segments),
    lock: (path) => life.gate(async () => lockOf(await fs.lock(path))),
    bootIdentity: () => life.gate(() => fs.bootIdentity()),
  };
}

/**
 * The Transport as one process sees it: responses and body chunks reach the process only while it
 * runs, and its connections are aborted when it dies (the server sees the client go away).
 *
 * @example
 * ```ts
 * const transport = processTransport(world.network.transport, life);
 * ```
 */
export function processTransport(transport: Transport, life: ProcessLife): Transport {
  return {
    capabilities: transport.capabilities,
    start: (request) =>
      life.gate(async () => {
        const signal = AbortSignal.any([request.signal, life.signal]);
        const response = await transport.start({ ...request, signal });
        return { head: response.head, body: gatedIterable(response.body, life) };
      }),
  };
}

/**
 * Connectivity as one process sees it: changes reach it only while it runs, and a subscription
 * ends with the process.
 *
 * @example
 * ```ts
 * const connectivity = processConnectivity(world.network.connectivity, life);
 * ```
 */
export function processConnectivity(connectivity: Connectivity, life: ProcessLife): Connectivity {
  return {
    current: () => connectivity.current(),
    subscribe(listener) {
      const unsubscribe = connectivity.subscribe((state) => life.whenRunning(() => listener(state)));
      const forget = life.atDeath(unsubscribe);
      return () => {
        forget();
        unsubscribe();
      };
    },
  };
}

/**
 * The app's listener inside one process: called only while the process runs; a durable handler's
 * return reaches the session only while the process still runs (a kill between the two is the
 * `handler-returned` crash).
 *
 * @example
 * ```ts
 * const listener = processListener(appListener, life);
 * ```
 */
export function processListener(listener: SessionListener, life: ProcessLife): SessionListener {
  const durable = <E>(handler: ((event: E) => void | Promise<void>) | undefined) =>
    handler === undefined ? undefined : (event: E) => life.gate(async () => handler.call(listener, event));
  const transient = <E>(handler: ((event: E) => void) | undefined) =>
    handler === undefined ? undefined : (event: E) => life.whenRunning(() => handler.call(listener, event));
  const wrapped: Record<string, unknown> = {
    downloadDidFinish: durable(listener.downloadDidFinish),
    taskDidComplete: durable(listener.taskDidComplete),
    sessionDidBecomeInvalid: durable(listener.sessionDidBecomeInvalid),
    taskDidWriteData: transient(listener.taskDidWriteData),
    taskDidSendBodyData: transient(listener.taskDidSendBodyData),
    taskIsWaitingForConnectivity: transient(listener.taskIsWaitingForConnectivity),
    storeProblem: transient(listener.storeProblem),
    eventDeliveryFailed: transient(listener.eventDeliveryFailed),
    sessionDidFinishEvents:
      listener.sessionDidFinishEvents === undefined ? undefined : () => life.whenRunning(() => listener.sessionDidFinishEvents?.()),
  };
  return Object.fromEntries(Object.entries(wrapped).filter(([, value]) => value !== undefined)) as SessionListener;
}

function gatedIterable(source: AsyncIterable<Uint8Array>, life: ProcessLife): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      return {
        next: () => life.gate(() => iterator.next()),
        return: (value?: unknown) =>
          life.gate(async () => (iterator.return === undefined ? { done: true as const, value: undefined } : await iterator.return(value))),
      };
    },
  };
}
