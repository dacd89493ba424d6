import type { CrashPiece, SectorFate } from './crash-image.js';
import type { DirectoryNode, DiskNode, PendingEntryOperation } from './disk-tree.js';

/** An unsynced namespace operation whose fate a power loss decides. */
export interface CrashEntryOperation {
  readonly call: string;
  readonly paths: readonly string[];
}

/** What a power loss does to an unsynced namespace operation: it happened, or it never did. */
export type EntryFate = 'keep' | 'revert';

/** How a power loss decides each fate; by default the disk's Random draws them. */
export interface PowerLossChoices {
  sector?(piece: CrashPiece): SectorFate;
  entry?(operation: CrashEntryOperation): EntryFate;
}

/** What a power loss did. */
export interface PowerLossReport {
  /** Unsynced sectors (and truncates) kept, dropped and garbled, over the files left reachable. */
  readonly kept: number;
  readonly dropped: number;
  readonly garbled: number;
  /** Unsynced namespace operations kept and reverted. */
  readonly entriesKept: number;
  readonly entriesReverted: number;
}

/** The fates of one power loss, and the bytes a garbled sector gets. */
export interface CrashDecisions {
  sector(piece: CrashPiece): SectorFate;
  entry(operation: CrashEntryOperation): EntryFate;
  garbage(length: number): Uint8Array;
}

/**
 * Applies a power loss to the tree under `root`: first each unsynced namespace operation, oldest
 * first, is kept or reverted as a whole (a rename moves or stays where it was); then every file
 * still reachable, in path order, gets its crash image (durable bytes, then each unsynced sector
 * kept, dropped or garbled). Afterwards everything is durable: the cache is what the platters
 * hold. Files no name reaches any more are garbage and are left alone.
 *
 * @example
 * ```ts
 * const report = crashDisk(root, pendingEntries, decisions);
 * report.dropped; // sectors lost
 * ```
 */
export function crashDisk(root: DirectoryNode, pendingEntries: PendingEntryOperation[], decisions: CrashDecisions): PowerLossReport {
  const counts = { kept: 0, dropped: 0, garbled: 0, entriesKept: 0, entriesReverted: 0 };
  const results = new Map<DirectoryNode, Map<string, DiskNode>>();
  for (const operation of pendingEntries) {
    // Every change of it was synced since (it waits in the list to be removed in a batch).
    if (operation.changes.length === 0) continue;
    for (const { directory } of operation.changes) if (!results.has(directory)) results.set(directory, new Map(directory.durable));
    if (decisions.entry({ call: operation.call, paths: operation.paths }) === 'revert') {
      counts.entriesReverted += 1;
      continue;
    }
    counts.entriesKept += 1;
    for (const { directory, name, node } of operation.changes) {
      const entries = results.get(directory) as Map<string, DiskNode>;
      if (node === null) entries.delete(name);
      else entries.set(name, node);
    }
  }
  for (const [directory, entries] of results) {
    directory.entries = entries;
    directory.durable = new Map(entries);
  }
  pendingEntries.splice(0);

  const fate = (piece: CrashPiece): SectorFate => {
    const what = decisions.sector(piece);
    if (what === 'garble' && piece.type === 'truncate') {
      counts.kept += 1;
      return 'keep';
    }
    counts[what === 'keep' ? 'kept' : what === 'drop' ? 'dropped' : 'garbled'] += 1;
    return what;
  };
  const seen = new Set<DiskNode>();
  const visit = (directory: DirectoryNode, path: string): void => {
    for (const name of [...directory.entries.keys()].sort()) {
      const node = directory.entries.get(name) as DiskNode;
      if (seen.has(node)) continue;
      seen.add(node);
      const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
      if (node.kind === 'directory') visit(node, childPath);
      else if (node.kind === 'file') node.content.crash(childPath, fate, decisions.garbage);
    }
  };
  seen.add(root);
  visit(root, '/');
  return counts;
}
