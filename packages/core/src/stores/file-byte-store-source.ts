import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileStat, FileSystem } from '../ports/file-system.js';
import { readFileChunks } from './file-byte-store-read.js';

/**
 * The app's files an upload reads (the ByteStore port's `sourceStat` and `readSource`), over the
 * FileSystem port: `lstat` and a read-only `open`, which never follows a link at the last
 * component. Nothing here writes, moves or deletes the file.
 */
export interface FileByteStoreSource {
  sourceStat(path: string): Promise<FileStat | null>;
  readSource(path: string, offset?: number): AsyncGenerator<Uint8Array>;
}

/**
 * The upload-source half of a file byte store. A path must be absolute in the file system's
 * syntax (learnt from `fs.join`, as the layout does): the store runs in no working directory, so a
 * relative path is `InvalidArgument` naming `path`, never resolved against whatever the process's
 * is (a host resolves it before, as `@bgsession/node` does).
 *
 * @example
 * ```ts
 * const source = fileByteStoreSource(fs, 64 * 1024);
 * const stat = await source.sourceStat('/home/me/video.mp4'); // { type: 'file', size, mtimeMs, identity }
 * for await (const chunk of source.readSource('/home/me/video.mp4')) send(chunk);
 * ```
 */
export function fileByteStoreSource(fs: FileSystem, chunkSize: number): FileByteStoreSource {
  const windows = fs.join('a', 'b').slice(1, -1) === '\\';
  const absolute = (path: string): boolean => (windows ? /^([A-Za-z]:[\\/]|[\\/]{2}[^\\/])/.test(path) : path.startsWith('/'));
  function checkPath(path: string): void {
    if (path.includes('\0') || !absolute(path)) {
      throw new BgSessionError('InvalidArgument', `${JSON.stringify(path).slice(0, 200)} is not an absolute path.`, { field: 'path', path });
    }
  }
  return {
    async sourceStat(path) {
      checkPath(path);
      return fs.lstat(path);
    },

    async *readSource(path, offset = 0) {
      checkPath(path);
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new BgSessionError('InvalidArgument', `Cannot read ${path} from ${offset}.`, { field: 'offset', path });
      }
      // Shrunk since the read began: what was read is all there is, and the caller, who knows the
      // size it expects, tells the change.
      yield* readFileChunks(fs, path, offset, chunkSize, () => undefined);
    },
  };
}
