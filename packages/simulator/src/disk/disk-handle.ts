import { BgSessionError, type FileHandle, type OpenOptions } from '@bgsession/core';
import { storeFailed } from './disk-call.js';
import type { DiskContext, DiskProcessState } from './disk-context.js';
import type { FileNode } from './disk-tree.js';

/**
 * Opens a handle of `process` on `node`: reads see the page cache, writes and truncates go to the
 * cache and stay unsynced until `datasync` makes them durable. A failed datasync drops them from
 * the write-back without writing them (as Linux marks the pages clean after an fsync error), so
 * the cache still shows bytes that will not survive a power loss and that no later sync will
 * save: the reason a failed sync must never be retried.
 *
 * @example
 * ```ts
 * const handle = createDiskHandle(context, process, node, '/sessions/journal', 'rw');
 * await handle.write(bytes, 0);
 * await handle.datasync(); // durable now
 * ```
 */
export function createDiskHandle(context: DiskContext, owner: DiskProcessState, node: FileNode, path: string, mode: OpenOptions['mode']): FileHandle {
  const token = { node };
  let closed = false;
  owner.open.add(token);
  const paths = [path];

  function usable(writing: boolean): void {
    if (closed) throw storeFailed('The handle is closed (EBADF)', path);
    if (writing && mode === 'r') throw new BgSessionError('PermissionDenied', `${path} is open read-only (EBADF).`, { path });
  }

  function position(value: number, what: string): number {
    if (!Number.isSafeInteger(value) || value < 0) throw storeFailed(`Invalid ${what} ${value} (EINVAL)`, path);
    return value;
  }

  return {
    read(at, length) {
      return context.run(owner, 'read', paths, () => {
        usable(false);
        return node.content.read(position(at, 'position'), position(length, 'length'));
      });
    },
    write(bytes, at) {
      return context.run(owner, 'write', paths, () => {
        usable(true);
        const start = at === 'append' || mode === 'a' ? node.content.length : position(at, 'position');
        context.reserve(node, start + bytes.length);
        node.content.write(bytes, start);
        node.mtimeMs = context.now();
      });
    },
    datasync() {
      return context.run(
        owner,
        'datasync',
        paths,
        () => {
          usable(false);
          if (context.planted.lyingDatasync === true) return;
          node.content.sync();
        },
        () => {
          if (!closed) node.content.dropWriteBack();
        },
      );
    },
    truncate(length) {
      return context.run(owner, 'truncate', paths, () => {
        usable(true);
        const size = position(length, 'length');
        context.reserve(node, size);
        node.content.truncate(size);
        node.mtimeMs = context.now();
      });
    },
    size() {
      return context.run(owner, 'size', paths, () => {
        usable(false);
        return node.content.length;
      });
    },
    close() {
      // Closing is all the dead can still do: the kernel already closed their files.
      if (!owner.alive) return Promise.resolve();
      const release = (): void => {
        closed = true;
        owner.open.delete(token);
      };
      // A close that fails (EIO) still frees the descriptor, as close(2) does.
      return context.run(
        owner,
        'close',
        paths,
        () => {
          usable(false);
          release();
        },
        release,
      );
    },
  };
}
