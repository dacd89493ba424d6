import { BgSessionError, type FileLock, type FileStat, type FileSystem } from '@bgsession/core';
import { storeFailed } from './disk-call.js';
import type { DiskContext, DiskProcessState } from './disk-context.js';
import { createDiskHandle } from './disk-handle.js';
import { contains, locate, splitPath, type DirectoryNode, type EntryChange, type FileNode, type Located, type PendingEntryOperation } from './disk-tree.js';
import { FileContent } from './file-content.js';

/**
 * The {@link FileSystem} one process sees on the lossy disk. Namespace changes (create, mkdir,
 * link, unlink, rename) are visible at once and durable only after `fsyncDir` of each directory
 * they touch; `mkdir` needs the parent to exist and does nothing when a directory is there;
 * `open` never follows a symbolic link at the last component; paths are POSIX and absolute.
 *
 * @example
 * ```ts
 * const fs = createProcessFileSystem(context, process);
 * await fs.mkdir('/sessions');
 * await fs.fsyncDir('/');
 * ```
 */
export function createProcessFileSystem(context: DiskContext, owner: DiskProcessState): FileSystem {
  function find(path: string, followLast: boolean): Located {
    if (splitPath(path) === null) throw storeFailed('Not an absolute path', path);
    const found = locate(context.root, path, followLast);
    if (found === 'ELOOP') throw new BgSessionError('PermissionDenied', `Too many levels of symbolic links (ELOOP): ${path}.`, { path });
    if (found === 'ENOENT') throw storeFailed('No such directory (ENOENT)', path);
    if (found === 'ENOTDIR') throw storeFailed('Not a directory (ENOTDIR)', path);
    return found;
  }

  function directoryAt(path: string): DirectoryNode {
    const { node } = find(path, true);
    if (node === undefined) throw storeFailed('No such directory (ENOENT)', path);
    if (node.kind !== 'directory') throw storeFailed('Not a directory (ENOTDIR)', path);
    return node;
  }

  function change(call: string, paths: readonly string[], changes: EntryChange[]): void {
    for (const { directory, name, node } of changes) {
      if (node === null) directory.entries.delete(name);
      else directory.entries.set(name, node);
    }
    const operation: PendingEntryOperation = { call, paths, changes };
    context.pendingEntries.push(operation);
    for (const { directory } of changes) {
      const ofDirectory = context.pendingByDirectory.get(directory);
      if (ofDirectory === undefined) context.pendingByDirectory.set(directory, new Set([operation]));
      else ofDirectory.add(operation);
    }
  }

  function syncDirectory(directory: DirectoryNode): void {
    if (context.planted.lyingFsyncDir === true) return;
    // The durable entries are the cached ones with this directory's unsynced changes undone, so
    // applying those changes in order makes them equal, without copying a large directory; only
    // the operations that change this directory are visited.
    const operations = context.pendingByDirectory.get(directory);
    if (operations === undefined) return;
    context.pendingByDirectory.delete(directory);
    for (const operation of operations) {
      for (const { directory: changed, name, node } of operation.changes) {
        if (changed !== directory) continue;
        if (node === null) directory.durable.delete(name);
        else directory.durable.set(name, node);
      }
      operation.changes = operation.changes.filter((entry) => entry.directory !== directory);
      if (operation.changes.length === 0) context.emptiedEntries += 1;
    }
    // Operations with nothing left go in batches, so the list stays about as long as what is pending.
    const pending = context.pendingEntries;
    if (context.emptiedEntries > 64 && context.emptiedEntries * 2 > pending.length) {
      let left = 0;
      for (const operation of pending) if (operation.changes.length > 0) pending[left++] = operation;
      pending.length = left;
      context.emptiedEntries = 0;
    }
  }

  function lockPath(path: string): string {
    const names = splitPath(path);
    if (names === null) throw storeFailed('Not an absolute path', path);
    return `/${names.join('/')}`;
  }

  return {
    open(path, options) {
      return context.run(owner, 'open', [path], () => {
        const { parent, name, node } = find(path, false);
        if (node !== undefined && options.create === true && options.exclusive === true) {
          throw new BgSessionError('DestinationExists', `${path} exists (EEXIST).`, { path });
        }
        if (node?.kind === 'symlink') throw new BgSessionError('PermissionDenied', `${path} is a symbolic link, which open never follows (ELOOP).`, { path });
        if (node?.kind === 'directory' || parent === null) throw storeFailed('Is a directory (EISDIR)', path);
        if (node !== undefined) return createDiskHandle(context, owner, node, path, options.mode);
        if (options.create !== true) throw storeFailed('No such file (ENOENT)', path);
        const created: FileNode = { kind: 'file', id: context.nextId(), content: new FileContent(), mtimeMs: context.now() };
        change('create', [path], [{ directory: parent, name, node: created }]);
        return createDiskHandle(context, owner, created, path, options.mode);
      });
    },
    lstat(path) {
      return context.run(owner, 'lstat', [path], (): FileStat | null => {
        if (splitPath(path) === null) throw storeFailed('Not an absolute path', path);
        const found = locate(context.root, path, false);
        if (found === 'ELOOP') throw new BgSessionError('PermissionDenied', `Too many levels of symbolic links (ELOOP): ${path}.`, { path });
        if (typeof found === 'string' || found.node === undefined) return null;
        const { node } = found;
        const identity = `lossy:${node.id}`;
        if (node.kind === 'file') return { type: 'file', size: node.content.length, mtimeMs: node.mtimeMs, identity };
        if (node.kind === 'symlink') return { type: 'symlink', size: node.target.length, mtimeMs: 0, identity };
        return { type: 'directory', size: 0, mtimeMs: 0, identity };
      });
    },
    readdir(path) {
      return context.run(owner, 'readdir', [path], () => [...directoryAt(path).entries.keys()].sort());
    },
    mkdir(path) {
      return context.run(owner, 'mkdir', [path], () => {
        const { parent, name, node } = find(path, false);
        if (parent === null || node?.kind === 'directory') return;
        if (node?.kind === 'symlink') {
          // A link to a directory counts as one, as `mkdir -p` sees it.
          const target = locate(context.root, path, true);
          if (typeof target !== 'string' && target.node?.kind === 'directory') return;
        }
        if (node !== undefined) throw new BgSessionError('DestinationExists', `${path} exists and is not a directory (EEXIST).`, { path });
        const made: DirectoryNode = { kind: 'directory', id: context.nextId(), entries: new Map(), durable: new Map() };
        change('mkdir', [path], [{ directory: parent, name, node: made }]);
      });
    },
    rename(from, to) {
      return context.run(owner, 'rename', [from, to], () => {
        const source = find(from, false);
        const target = find(to, false);
        const node = source.node;
        if (node === undefined) throw storeFailed('No such file (ENOENT)', from);
        if (source.parent === null || target.parent === null) throw storeFailed('Device or resource busy (EBUSY)', source.parent === null ? from : to);
        if (target.node === node) return;
        if (node.kind === 'directory') {
          if (target.node !== undefined && target.node.kind !== 'directory') throw storeFailed('Not a directory (ENOTDIR)', to);
          if (target.node?.kind === 'directory' && target.node.entries.size > 0) throw storeFailed('Directory not empty (ENOTEMPTY)', to);
          if (contains(node, target.parent)) throw storeFailed('Invalid argument (EINVAL)', to);
        } else if (target.node?.kind === 'directory') {
          throw storeFailed('Is a directory (EISDIR)', to);
        }
        change('rename', [from, to], [
          { directory: source.parent, name: source.name, node: null },
          { directory: target.parent, name: target.name, node },
        ]);
      });
    },
    link(from, to) {
      return context.run(owner, 'link', [from, to], () => {
        const { node } = find(from, false);
        if (node === undefined) throw storeFailed('No such file (ENOENT)', from);
        if (node.kind === 'directory') throw new BgSessionError('PermissionDenied', `${from} is a directory (EPERM).`, { path: from });
        const target = find(to, false);
        if (target.node !== undefined || target.parent === null) throw new BgSessionError('DestinationExists', `${to} exists (EEXIST).`, { path: to });
        change('link', [from, to], [{ directory: target.parent, name: target.name, node }]);
      });
    },
    unlink(path) {
      return context.run(owner, 'unlink', [path], () => {
        const { parent, name, node } = find(path, false);
        if (node === undefined) throw storeFailed('No such file (ENOENT)', path);
        if (node.kind === 'directory' || parent === null) throw storeFailed('Is a directory (EISDIR)', path);
        change('unlink', [path], [{ directory: parent, name, node: null }]);
      });
    },
    fsyncDir(path) {
      return context.run(owner, 'fsyncDir', [path], () => syncDirectory(directoryAt(path)));
    },
    join(...segments) {
      const joined = segments.filter((segment) => segment !== '').join('/');
      return joined.startsWith('/') ? `/${(splitPath(joined) ?? []).join('/')}` : joined.replace(/\/+/g, '/');
    },
    lock(path) {
      return context.run(owner, 'lock', [path], (): FileLock => {
        const name = lockPath(path);
        const holder = context.locks.get(name);
        if (holder !== undefined && holder.alive) throw new BgSessionError('SessionInUse', `${name} is locked by a live owner.`, { path: name });
        context.locks.set(name, owner);
        let released = false;
        return {
          release() {
            if (released || !owner.alive) return Promise.resolve();
            return context.run(owner, 'release', [name], () => {
              if (released) return;
              released = true;
              if (context.locks.get(name) === owner) context.locks.delete(name);
            });
          },
        };
      });
    },
    bootIdentity() {
      return context.run(owner, 'bootIdentity', [], () => context.bootIdentity());
    },
  };
}
