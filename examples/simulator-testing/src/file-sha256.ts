import { createHash } from 'node:crypto';
import type { FileSystem } from '@bgsession/core';

/** Read in pieces, so a large photo never sits in memory whole. */
const pieceSize = 256 * 1024;

/**
 * The size and hex SHA-256 of the file at `path`, read through the app's FileSystem.
 *
 * @example
 * ```ts
 * const { size, sha256 } = await fileSha256(world.disk.fs, '/library/photos/beach.jpg');
 * ```
 */
export async function fileSha256(fs: FileSystem, path: string): Promise<{ readonly size: number; readonly sha256: string }> {
  const handle = await fs.open(path, { mode: 'r' });
  try {
    const size = await handle.size();
    const hash = createHash('sha256');
    for (let position = 0; position < size; position += pieceSize) hash.update(await handle.read(position, Math.min(pieceSize, size - position)));
    return { size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}
