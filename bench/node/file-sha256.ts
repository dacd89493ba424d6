import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The hex SHA-256 of a file, read as a stream (a 1 GiB download is never held whole); null when the
 * file cannot be read.
 *
 * @example
 * ```ts
 * (await fileSha256('/tmp/big.bin')) === sha256Hex(content);
 * ```
 */
export async function fileSha256(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 * 2 ** 20 })) hash.update(chunk as Buffer);
  } catch {
    return null;
  }
  return hash.digest('hex');
}
