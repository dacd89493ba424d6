import type { FileContent } from './file-content.js';

/**
 * A file (an inode: hard links share it). `content` holds what processes read (the OS's page
 * cache), the changes a datasync would write, and what the platters hold.
 */
export interface FileNode {
  readonly kind: 'file';
  readonly id: number;
  content: FileContent;
  mtimeMs: number;
}

/** A directory: `entries` as processes see them, `durable` as its last fsync left them. */
export interface DirectoryNode {
  readonly kind: 'directory';
  readonly id: number;
  entries: Map<string, DiskNode>;
  durable: Map<string, DiskNode>;
}

/** A symbolic link; only planted by tests (`LossyDisk.symlink`), never followed at the last component by `open`. */
export interface SymlinkNode {
  readonly kind: 'symlink';
  readonly id: number;
  readonly target: string;
}

/** Whatever a directory entry names. */
export type DiskNode = FileNode | DirectoryNode | SymlinkNode;

/** One name of a directory set to a node (or removed, with null). */
export interface EntryChange {
  readonly directory: DirectoryNode;
  readonly name: string;
  readonly node: DiskNode | null;
}

/**
 * One unsynced namespace operation (a create, mkdir, link, unlink or rename). Its changes are
 * kept or reverted together at a power loss; a directory's fsync takes its changes out of every
 * pending operation, since they are durable from then on.
 */
export interface PendingEntryOperation {
  readonly call: string;
  /** The paths the call was given. */
  readonly paths: readonly string[];
  changes: EntryChange[];
}

/** Where a path leads: its directory and name (null for `/`), and what is there. */
export interface Located {
  readonly parent: DirectoryNode | null;
  readonly name: string;
  readonly node: DiskNode | undefined;
}

/** Why a path leads nowhere: a missing directory, a file used as one, too many links. */
export type LocateFailure = 'ENOENT' | 'ENOTDIR' | 'ELOOP';

const maxLinkHops = 40;

/**
 * Splits an absolute POSIX path into names, resolving `.` and `..` lexically; null for a relative
 * one.
 *
 * @example
 * ```ts
 * splitPath('/a/./b/../c'); // ['a', 'c']
 * ```
 */
export function splitPath(path: string): string[] | null {
  if (!path.startsWith('/')) return null;
  const names: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') names.pop();
    else names.push(part);
  }
  return names;
}

/**
 * Walks `path` from `root`, following symbolic links on the way (but at the last component only
 * with `followLast`), as the kernel resolves a path.
 *
 * @example
 * ```ts
 * const found = locate(root, '/sessions/journal', false);
 * if (typeof found !== 'string' && found.node?.kind === 'file') { ... }
 * ```
 */
export function locate(root: DirectoryNode, path: string, followLast: boolean): Located | LocateFailure {
  let names = splitPath(path) ?? [];
  let hops = 0;
  restart: for (;;) {
    let directory = root;
    const walked: string[] = [];
    if (names.length === 0) return { parent: null, name: '', node: root };
    for (let i = 0; i < names.length; i += 1) {
      const name = names[i] as string;
      const node = directory.entries.get(name);
      const last = i === names.length - 1;
      if (node?.kind === 'symlink' && (!last || followLast)) {
        hops += 1;
        if (hops > maxLinkHops) return 'ELOOP';
        const base = node.target.startsWith('/') ? node.target : `/${walked.join('/')}/${node.target}`;
        names = [...(splitPath(base) ?? []), ...names.slice(i + 1)];
        continue restart;
      }
      if (last) return { parent: directory, name, node };
      if (node === undefined) return 'ENOENT';
      if (node.kind !== 'directory') return 'ENOTDIR';
      directory = node;
      walked.push(name);
    }
  }
}

/**
 * Whether `inner` is `outer` or lies somewhere below it (renaming a directory into itself is
 * refused).
 */
export function contains(outer: DirectoryNode, inner: DirectoryNode): boolean {
  if (outer === inner) return true;
  for (const child of outer.entries.values()) if (child.kind === 'directory' && contains(child, inner)) return true;
  return false;
}
