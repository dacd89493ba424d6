import type { DiskCall } from './disk-call.js';
import type { DirectoryNode, FileNode, PendingEntryOperation } from './disk-tree.js';

/** One process using the disk: what dies with it. */
export interface DiskProcessState {
  alive: boolean;
  /** The files it holds open (they count against the disk's capacity even when unlinked). */
  readonly open: Set<{ readonly node: FileNode }>;
}

/** Bugs a test plants in the disk to show that a property catches them. */
export interface PlantedDiskBugs {
  /** `datasync` resolves without making anything durable. */
  readonly lyingDatasync?: boolean;
  /** `fsyncDir` resolves without making any directory entry durable. */
  readonly lyingFsyncDir?: boolean;
}

/** What the FileSystem views of each process share: the machine's one disk. */
export interface DiskContext {
  readonly root: DirectoryNode;
  /**
   * Unsynced namespace operations, oldest first. An operation whose every change was synced is
   * left in place with no changes (removed in batches), so a sync never scans the whole list.
   */
  readonly pendingEntries: PendingEntryOperation[];
  /** The unsynced operations that change each directory, oldest first. */
  readonly pendingByDirectory: Map<DirectoryNode, Set<PendingEntryOperation>>;
  /** How many operations in `pendingEntries` have no change left. */
  emptiedEntries: number;
  /** Lock paths and the process holding each. */
  readonly locks: Map<string, DiskProcessState>;
  readonly planted: PlantedDiskBugs;
  bootIdentity(): string;
  /** The wall clock, for modification times. */
  now(): number;
  nextId(): number;
  /**
   * Runs one call of `process`: tells the listeners, counts it, waits its latency, then applies an
   * injected failure (calling `onFault` first) or runs `effect`. A dead process's calls never
   * settle: the process stopped there.
   */
  run<T>(owner: DiskProcessState, call: DiskCall, paths: readonly string[], effect: () => T, onFault?: () => void): Promise<T>;
  /** Throws `DiskFull` when growing `node` to `length` bytes would pass the disk's capacity. */
  reserve(node: FileNode, length: number): void;
}

/** A promise that never settles: the answer a dead process waits for. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
