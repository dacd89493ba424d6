import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import type { BodySource } from '../model/task-types.js';
import type { ByteStore } from '../ports/byte-store.js';
import type { FileStat } from '../ports/file-system.js';

/**
 * The body of `session.upload({ file })` (semantics section 6): the app's file, read where it is
 * (never copied, never deleted: `owned: false`), with its size, modification time and identity
 * as they are now, to be compared before each attempt and before the last byte is sent. What is
 * not a regular file (nothing, a directory, a link: links are not followed), a path the store
 * cannot take and a store that cannot read files are `InvalidArgument` naming `file`; a refusal
 * of the file system is its `PermissionDenied`.
 *
 * @example
 * ```ts
 * await uploadSourceOf(byteStore, '/home/me/video.mp4');
 * // { ref: '/home/me/video.mp4', owned: false, size: 734003200, mtimeMs: 1767225600000, identity: '2049:1311' }
 * ```
 */
export async function uploadSourceOf(byteStore: ByteStore, path: string): Promise<BodySource> {
  if (byteStore.sourceStat === undefined || byteStore.readSource === undefined) {
    throw new BgSessionError('InvalidArgument', 'file: this session\'s byte store cannot read files; give the upload its bytes as `body` instead.', { field: 'file', path });
  }
  let stat: FileStat | null;
  try {
    stat = await byteStore.sourceStat(path);
  } catch (error) {
    if (isBgSessionError(error, 'PermissionDenied')) throw error;
    throw new BgSessionError('InvalidArgument', `file: ${path} cannot be used (${messageOf(error)})`, { field: 'file', path, cause: error });
  }
  if (stat?.type !== 'file') throw new BgSessionError('InvalidArgument', `file: cannot upload ${path}: ${notAFile(stat)}.`, { field: 'file', path });
  return { ref: path, owned: false, size: stat.size, mtimeMs: stat.mtimeMs, identity: stat.identity };
}

/**
 * Rejects with `UploadSourceChanged` (carrying the file's `path`) unless an upload's file is as it
 * was at creation: the same size, modification time and identity (inode), still a regular file.
 * A file that cannot be looked at any more counts as changed. Bytes the session copied into its
 * store (`owned`) cannot change and are not looked at.
 *
 * @example
 * ```ts
 * await checkUploadSource(byteStore, record.body); // before an attempt's request goes out
 * ```
 */
export async function checkUploadSource(byteStore: ByteStore, body: BodySource): Promise<void> {
  if (body.owned) return;
  if (byteStore.sourceStat === undefined) throw sourceChanged(body, 'this session\'s byte store cannot read files');
  let stat: FileStat | null;
  try {
    stat = await byteStore.sourceStat(body.ref);
  } catch (error) {
    throw sourceChanged(body, `it could not be looked at (${messageOf(error)})`, error);
  }
  const difference =
    stat === null ? 'it is gone'
    : stat.type !== 'file' ? 'it is no longer a regular file'
    : stat.identity !== body.identity ? 'another file is at its path'
    : stat.size !== body.size ? `its size is ${stat.size} bytes, not ${body.size}`
    : stat.mtimeMs !== body.mtimeMs ? 'it was modified'
    : null;
  if (difference !== null) throw sourceChanged(body, difference);
}

/**
 * The bytes of an upload's file for one attempt's request, exactly its recorded size: a file that
 * holds more fails before the extra byte is handed over, one that ends short fails at its end, and
 * the file is compared again (`checkUploadSource`) before its last byte is handed over, so a server
 * never receives the whole body of a file that changed. Every failure is `UploadSourceChanged`
 * with the file's `path` (a transport keeps the `BgSessionError` its body threw).
 *
 * @example
 * ```ts
 * const body = { length: source.size, open: () => readUploadSource(byteStore, source) };
 * ```
 */
export async function* readUploadSource(byteStore: ByteStore, body: BodySource): AsyncGenerator<Uint8Array, void, undefined> {
  if (byteStore.readSource === undefined) throw sourceChanged(body, 'this session\'s byte store cannot read files');
  let read = 0;
  const chunks = byteStore.readSource(body.ref, 0)[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw sourceChanged(body, `it could not be read (${messageOf(error)})`, error);
      }
      if (next.done === true) break;
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      read += chunk.byteLength;
      if (read > body.size) throw sourceChanged(body, `it holds more than the ${body.size} bytes it had`);
      if (read === body.size) await checkUploadSource(byteStore, body);
      yield chunk;
    }
  } finally {
    // Closes the file when the transport stops early (an abort, a body it had enough of).
    await chunks.return?.();
  }
  if (read < body.size) throw sourceChanged(body, `it ended after ${read} of its ${body.size} bytes`);
  if (body.size === 0) await checkUploadSource(byteStore, body);
}

function notAFile(stat: FileStat | null): string {
  if (stat === null) return 'there is no file there';
  if (stat.type === 'directory') return 'it is a directory';
  if (stat.type === 'symlink') return 'it is a symbolic link, which is not followed; give the path of the file itself';
  return 'it is not a regular file';
}

function sourceChanged(body: BodySource, what: string, cause?: unknown): BgSessionError {
  if (isBgSessionError(cause, 'UploadSourceChanged')) return cause;
  return new BgSessionError('UploadSourceChanged', `The upload's file ${body.ref} changed since the task was created: ${what}.`, {
    path: body.ref,
    ...(cause === undefined ? {} : { cause }),
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
