import { BgSessionError, type FileHandle, type OpenOptions } from '@bgsession/core';
import { fileSystemError } from './file-system-error.js';

/**
 * The calls on an open file the port's handle uses: {@link fdCalls} over a descriptor, or anything
 * shaped like a `node:fs/promises` FileHandle (tests pass a fake).
 */
export interface NodeFileHandleCalls {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ readonly bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ readonly bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ readonly size: number }>;
  close(): Promise<void>;
}

/**
 * Wraps the calls on an open file as the FileSystem port's {@link FileHandle}: explicit
 * positions, whole reads and writes (Node may move fewer bytes than asked; this loops), errors as
 * `BgSessionError`s.
 *
 * A failed `datasync` is never retried, and every later `datasync` on the handle fails too: after a
 * failed fsync, Linux marks the dirty pages clean and forgets the error, so a second fsync would
 * succeed and claim bytes durable that may be lost (the "fsyncgate" problem PostgreSQL met in 2018).
 * The caller must treat what it wrote since its last good sync as unknown.
 *
 * @example
 * ```ts
 * const fd = await promisify(open)('/data/part', 'r+');
 * const handle = createNodeFileHandle(fdCalls(fd), '/data/part', 'rw');
 * await handle.write(new TextEncoder().encode('hi'), 0);
 * await handle.datasync();
 * ```
 */
export function createNodeFileHandle(handle: NodeFileHandleCalls, path: string, mode: OpenOptions['mode']): FileHandle {
  let closed = false;
  let syncFailure: unknown = undefined;

  function check(operation: string, writing: boolean): void {
    if (closed) throw new BgSessionError('StoreFailed', `Could not ${operation} ${path}: the handle is closed.`, { path });
    if (writing && mode === 'r') {
      throw new BgSessionError('PermissionDenied', `Could not ${operation} ${path}: it is open read-only.`, { path });
    }
  }

  async function writeAll(bytes: Uint8Array, position: number | null): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      // A null position writes at the cursor, which O_APPEND keeps at the end of the file.
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position === null ? null : position + done);
      if (bytesWritten <= 0) throw new BgSessionError('StoreFailed', `Could not write ${path}: the OS wrote nothing.`, { path });
      done += bytesWritten;
    }
  }

  return {
    async read(position, length) {
      check('read', false);
      const bytes = new Uint8Array(length);
      let done = 0;
      try {
        while (done < length) {
          const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
          if (bytesRead === 0) break; // the end of the file
          done += bytesRead;
        }
      } catch (error) {
        throw fileSystemError(error, 'read', path);
      }
      return done === length ? bytes : bytes.slice(0, done);
    },
    async write(bytes, position) {
      check('write', true);
      try {
        if (mode === 'a') {
          // The kernel appends every write under O_APPEND; Linux even ignores a pwrite offset there.
          await writeAll(bytes, null);
        } else if (position === 'append') {
          await writeAll(bytes, (await handle.stat()).size);
        } else {
          await writeAll(bytes, position);
        }
      } catch (error) {
        throw fileSystemError(error, 'write', path);
      }
    },
    async datasync() {
      check('sync', false);
      if (syncFailure !== undefined) {
        throw new BgSessionError('StoreFailed', `Could not sync ${path}: an earlier sync of this handle failed.`, {
          path,
          cause: syncFailure,
        });
      }
      try {
        await handle.datasync();
      } catch (error) {
        syncFailure = error;
        throw fileSystemError(error, 'sync', path);
      }
    },
    async truncate(length) {
      check('truncate', true);
      try {
        await handle.truncate(length);
      } catch (error) {
        throw fileSystemError(error, 'truncate', path);
      }
    },
    async size() {
      check('stat', false);
      try {
        return (await handle.stat()).size;
      } catch (error) {
        throw fileSystemError(error, 'stat', path);
      }
    },
    async close() {
      // Closing twice is harmless, so `finally { await handle.close() }` never hides the first error.
      if (closed) return;
      closed = true;
      try {
        await handle.close();
      } catch (error) {
        throw fileSystemError(error, 'close', path);
      }
    },
  };
}
