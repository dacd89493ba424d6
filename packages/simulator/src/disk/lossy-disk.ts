import { BgSessionError, type Clock, type FileSystem, type Random } from '@bgsession/core';
import { garbleBytes, type CrashPiece, type SectorFate } from './crash-image.js';
import { diskCalls, faultError, type DiskCall, type DiskCallInfo, type DiskFault } from './disk-call.js';
import { never, type DiskContext, type DiskProcessState, type PlantedDiskBugs } from './disk-context.js';
import { locate, splitPath, type DirectoryNode, type FileNode, type PendingEntryOperation } from './disk-tree.js';
import { FileContent } from './file-content.js';
import { crashDisk, type EntryFate, type PowerLossChoices, type PowerLossReport } from './power-loss.js';
import { createProcessFileSystem } from './process-file-system.js';

/** Options of {@link createLossyDisk}. */
export interface LossyDiskOptions {
  /** Draws the boot identities and, at a power loss, every fate and garbled byte. */
  readonly random: Random;
  /** Gives files their modification time, and waits out `latency` (0 everywhere without it). */
  readonly clock?: Clock;
  /** How long each call takes, in ms of the clock's time (0 by default); needs `clock`. */
  readonly latency?: (call: DiskCall, paths: readonly string[]) => number;
  /** Relative weights of a power loss's fates for each unsynced sector (1, 1, 1 by default). */
  readonly sectorFates?: { readonly keep?: number; readonly drop?: number; readonly garble?: number };
  /** The chance that a power loss reverts an unsynced create, mkdir, link, unlink or rename (0.5). */
  readonly revertChance?: number;
  /** The bytes the disk holds; a write or truncate that would pass it fails with `DiskFull`. */
  readonly capacity?: number | null;
  /** Bugs planted to show a property catches them. */
  readonly planted?: PlantedDiskBugs;
}

/** One process on the disk's machine: its FileSystem, whose calls stop answering once it dies. */
export interface DiskProcess {
  readonly fs: FileSystem;
  readonly alive: boolean;
  /** Kills it: its handles close and its locks are released; the OS's cache is untouched. */
  kill(): void;
}

/** A simulated disk with SQLite's crash model, and the processes of the machine it is in. */
export interface LossyDisk {
  /** The FileSystem of the main process (a new object after each `kill` and `powerLoss`). */
  readonly fs: FileSystem;
  /** Calls made so far by every process, by kind (counted when made, before any latency). */
  readonly calls: Readonly<Record<DiskCall, number>>;
  /** Power losses so far. */
  readonly powerLosses: number;
  /**
   * Kills the main process and starts the next one (`fs`): unsynced writes stay in the OS's
   * cache, every handle and lock of the dead process is released, the boot identity is unchanged.
   * The dead process's pending and later calls never settle.
   */
  kill(): void;
  /** Starts another process on the same machine (a daemon beside the app, a rival process). */
  spawn(): DiskProcess;
  /**
   * Cuts the power: every process dies (and the main one is restarted), each unsynced sector is
   * kept, dropped or garbled and each unsynced namespace operation kept or reverted (drawn from
   * `random`, or as `choices` say), locks are gone and the boot identity changes.
   */
  powerLoss(choices?: PowerLossChoices): PowerLossReport;
  /**
   * Makes the next `call` (of any process; with `path`, the next one concerning that path) fail
   * with `fault` (EIO by default) and change nothing. A failed `datasync` also drops the file's
   * unsynced writes from the write-back (they stay readable until a power loss, and no later sync
   * saves them), as Linux does.
   */
  failNext(call: DiskCall, options?: { readonly fault?: DiskFault; readonly path?: string }): void;
  /** Sets the capacity (null: unlimited); growing past it fails with `DiskFull`. */
  setCapacity(bytes: number | null): void;
  /** The bytes of every file reachable by a name or held open. */
  usedBytes(): number;
  /** Calls `listener` as each call is made, before it takes effect; it may kill or cut the power. Returns the unsubscribe. */
  onCall(listener: (info: DiskCallInfo) => void): () => void;
  /** The test's view, not a process's call: a file's bytes in the cache, or null when no file is there. */
  readFile(path: string): Uint8Array | null;
  /** The test's view: a file's length in the cache, or null when no file is there (no copy of its bytes). */
  fileLength(path: string): number | null;
  /** The test's view: puts a file at `path` (its directory must exist) with its bytes and name durable. */
  writeFile(path: string, bytes: Uint8Array): void;
  /** The test's view: plants a durable symbolic link at `path` pointing at `target`. */
  symlink(path: string, target: string): void;
}

/**
 * Creates a {@link LossyDisk}: the FileSystem port in memory with a page cache, for the simulator.
 * Writes and truncates are volatile until the file's `datasync`; creates, mkdirs, links, unlinks
 * and renames until `fsyncDir` of each directory they change. A process kill loses nothing
 * written; a power loss treats each unsynced 512-byte sector as SQLite's crash model does (kept,
 * dropped or garbled) and may revert each unsynced namespace operation. Only `/` exists at first.
 *
 * @example
 * ```ts
 * const disk = createLossyDisk({ random: createSimulatorRandom(7).fork('disk') });
 * await disk.fs.mkdir('/sessions');
 * await disk.fs.fsyncDir('/');
 * const store = createJournalStore({ fs: disk.fs, directory: '/sessions/photos' });
 * await store.open();
 * disk.powerLoss(); // what was not synced may be gone, kept or garbled
 * const next = createJournalStore({ fs: disk.fs, directory: '/sessions/photos' });
 * ```
 */
export function createLossyDisk(options: LossyDiskOptions): LossyDisk {
  const { random, clock } = options;
  if (options.latency !== undefined && clock === undefined) {
    throw new BgSessionError('InvalidArgument', 'A lossy disk with latency needs a clock to wait with.', { field: 'clock' });
  }
  const weights = { keep: options.sectorFates?.keep ?? 1, drop: options.sectorFates?.drop ?? 1, garble: options.sectorFates?.garble ?? 1 };
  const revertChance = options.revertChance ?? 0.5;
  const root: DirectoryNode = { kind: 'directory', id: 1, entries: new Map(), durable: new Map() };
  const pendingEntries: PendingEntryOperation[] = [];
  const locks = new Map<string, DiskProcessState>();
  const calls = Object.fromEntries(diskCalls.map((call) => [call, 0])) as Record<DiskCall, number>;
  const faults: Array<{ readonly call: DiskCall; readonly fault: DiskFault; readonly path: string | undefined }> = [];
  const listeners = new Set<(info: DiskCallInfo) => void>();
  const owners = new Set<DiskProcessState>();
  let capacity = options.capacity ?? null;
  let nextId = 2;
  let bootIdentity = random.id();
  let powerLosses = 0;

  function execute<T>(call: DiskCall, paths: readonly string[], effect: () => T, onFault?: () => void): Promise<T> {
    const index = faults.findIndex((entry) => entry.call === call && (entry.path === undefined || paths.some((path) => samePath(path, entry.path as string))));
    if (index >= 0) {
      const [entry] = faults.splice(index, 1);
      onFault?.();
      return Promise.reject(faultError((entry as (typeof faults)[number]).fault, call, paths[0] ?? ''));
    }
    try {
      return Promise.resolve(effect());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const context: DiskContext = {
    root,
    pendingEntries,
    pendingByDirectory: new Map(),
    emptiedEntries: 0,
    locks,
    planted: options.planted ?? {},
    bootIdentity: () => bootIdentity,
    now: () => clock?.now() ?? 0,
    nextId: () => nextId++,
    run<T>(owner: DiskProcessState, call: DiskCall, paths: readonly string[], effect: () => T, onFault?: () => void): Promise<T> {
      if (!owner.alive) return never();
      calls[call] += 1;
      const info: DiskCallInfo = { call, paths, count: calls[call] };
      for (const listener of [...listeners]) listener(info);
      if (!owner.alive) return never();
      const delay = options.latency?.(call, paths) ?? 0;
      if (delay <= 0 || clock === undefined) return execute(call, paths, effect, onFault);
      return new Promise<void>((resolve) => clock.setTimer(delay, resolve)).then(() => (owner.alive ? execute(call, paths, effect, onFault) : never<T>()));
    },
    reserve(node, length) {
      if (capacity === null || length <= node.content.length) return;
      if (usedBytes() + (length - node.content.length) > capacity) {
        throw new BgSessionError('DiskFull', `No space left on device (ENOSPC): ${length - node.content.length} more bytes do not fit.`, { cause: 'ENOSPC' });
      }
    },
  };

  function usedBytes(): number {
    const files = new Set<FileNode>();
    const seen = new Set<DirectoryNode>();
    const visit = (directory: DirectoryNode): void => {
      if (seen.has(directory)) return;
      seen.add(directory);
      for (const node of directory.entries.values()) {
        if (node.kind === 'file') files.add(node);
        else if (node.kind === 'directory') visit(node);
      }
    };
    visit(root);
    for (const owner of owners) for (const { node } of owner.open) files.add(node);
    let total = 0;
    for (const file of files) total += file.content.length;
    return total;
  }

  function start(): { readonly state: DiskProcessState; readonly fs: FileSystem } {
    const state: DiskProcessState = { alive: true, open: new Set() };
    owners.add(state);
    return { state, fs: createProcessFileSystem(context, state) };
  }

  function end(state: DiskProcessState): void {
    if (!state.alive) return;
    state.alive = false;
    state.open.clear();
    owners.delete(state);
    for (const [path, holder] of [...locks]) if (holder === state) locks.delete(path);
  }

  let main = start();

  function drawSector(): SectorFate {
    const total = weights.keep + weights.drop + weights.garble;
    const x = random.next() * total;
    return x < weights.keep ? 'keep' : x < weights.keep + weights.drop ? 'drop' : 'garble';
  }

  /** The file at `path` as the test sees it, or null. */
  function fileAt(path: string): FileNode | null {
    const found = splitPath(path) === null ? null : locate(root, path, false);
    return found === null || typeof found === 'string' || found.node?.kind !== 'file' ? null : found.node;
  }

  function placeFor(path: string): { readonly directory: DirectoryNode; readonly name: string } {
    const found = splitPath(path) === null ? 'ENOENT' : locate(root, path, false);
    if (typeof found === 'string' || found.parent === null) {
      throw new BgSessionError('InvalidArgument', `No directory to put ${path} in.`, { path });
    }
    return { directory: found.parent, name: found.name };
  }

  return {
    get fs() {
      return main.fs;
    },
    calls,
    get powerLosses() {
      return powerLosses;
    },
    kill() {
      end(main.state);
      main = start();
    },
    spawn() {
      const { state, fs } = start();
      return {
        fs,
        get alive() {
          return state.alive;
        },
        kill: () => end(state),
      };
    },
    powerLoss(choices: PowerLossChoices = {}) {
      for (const state of [...owners]) end(state);
      locks.clear();
      const report = crashDisk(root, pendingEntries, {
        sector: (piece: CrashPiece) => choices.sector?.(piece) ?? drawSector(),
        entry: (operation) => choices.entry?.(operation) ?? ((random.next() < revertChance ? 'revert' : 'keep') satisfies EntryFate),
        garbage: (length) => garbleBytes(length, Math.floor(random.next() * 0x1_0000_0000)),
      });
      context.pendingByDirectory.clear();
      context.emptiedEntries = 0;
      powerLosses += 1;
      bootIdentity = random.id();
      main = start();
      return report;
    },
    failNext(call, failure = {}) {
      faults.push({ call, fault: failure.fault ?? 'EIO', path: failure.path });
    },
    setCapacity(bytes) {
      capacity = bytes;
    },
    usedBytes,
    onCall(listener) {
      const own = (info: DiskCallInfo): void => listener(info);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    readFile(path) {
      return fileAt(path)?.content.bytes() ?? null;
    },
    fileLength(path) {
      return fileAt(path)?.content.length ?? null;
    },
    writeFile(path, bytes) {
      const { directory, name } = placeFor(path);
      const existing = directory.entries.get(name);
      const file: FileNode = existing?.kind === 'file' ? existing : { kind: 'file', id: nextId++, content: new FileContent(), mtimeMs: 0 };
      file.content = new FileContent(bytes);
      file.mtimeMs = context.now();
      directory.entries.set(name, file);
      directory.durable.set(name, file);
    },
    symlink(path, target) {
      const { directory, name } = placeFor(path);
      const link = { kind: 'symlink' as const, id: nextId++, target };
      directory.entries.set(name, link);
      directory.durable.set(name, link);
    },
  };
}

function samePath(a: string, b: string): boolean {
  return (splitPath(a) ?? [a]).join('/') === (splitPath(b) ?? [b]).join('/');
}
