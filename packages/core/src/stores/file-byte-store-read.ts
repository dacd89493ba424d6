import { BgSessionError } from '../errors/bg-session-error.js';
import type { FileSystem } from '../ports/file-system.js';
import { checkFileByteStoreKey, isFileByteStoreKey, type FileByteStoreLayout } from './file-byte-store-layout.js';

/**
 * Reads the part of `key` from `offset` to its end as it is when the read starts (bytes appended
 * meanwhile belong to a later read), in chunks of `chunkSize` (the ByteStore port's `read`).
 *
 * @example
 * ```ts
 * for await (const chunk of readPart(layout, 'part-1', 0, 64 * 1024)) hash.update(chunk);
 * ```
 */
export async function* readPart(layout: FileByteStoreLayout, key: string, offset: number, chunkSize: number): AsyncGenerator<Uint8Array> {
  checkFileByteStoreKey(key);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new BgSessionError('InvalidArgument', `Cannot read ${key} from ${offset}.`, { field: 'offset', path: key });
  }
  const { fs } = layout;
  const path = layout.partPath(key);
  if ((await fs.lstat(path))?.type !== 'file') {
    throw new BgSessionError('StoreFailed', `No bytes under ${key}.`, { path: key });
  }
  yield* readFileChunks(fs, path, offset, chunkSize, () => {
    throw new BgSessionError('StoreFailed', `${key} shrank during a read.`, { path: key });
  });
}

/**
 * Reads the file at `path` from `offset` to its length when the read starts, in chunks of at most
 * `chunkSize`, closing it however the read ends. A file that shrank meanwhile ends the read where
 * it now ends, after `shrank` (which may throw instead). Shared by parts and upload sources.
 *
 * @example
 * ```ts
 * for await (const chunk of readFileChunks(fs, '/home/me/video.mp4', 0, 64 * 1024, () => undefined)) send(chunk);
 * ```
 */
export async function* readFileChunks(fs: FileSystem, path: string, offset: number, chunkSize: number, shrank: () => void): AsyncGenerator<Uint8Array> {
  const handle = await fs.open(path, { mode: 'r' });
  try {
    const end = await handle.size();
    for (let position = offset; position < end; ) {
      const chunk = await handle.read(position, Math.min(chunkSize, end - position));
      if (chunk.length === 0) return shrank();
      position += chunk.length;
      yield chunk;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The key of an in-store hand-over location; `InvalidArgument` for anything outside `finished/`.
 *
 * @example
 * ```ts
 * finishedKeyOf(layout, '/var/lib/app/bytes/finished/part-1'); // 'part-1'
 * ```
 */
export function finishedKeyOf(layout: FileByteStoreLayout, location: string): string {
  const key = layout.nameOf(location);
  if (layout.parentOf(location) !== layout.trimmed(layout.finished) || !isFileByteStoreKey(key)) {
    throw new BgSessionError('InvalidArgument', `${location} is not a location inside the store.`, {
      field: 'location',
      path: location,
    });
  }
  return key;
}
