import { createHash } from 'node:crypto';
import { contentChunks } from './content-chunks.js';

/**
 * The hex SHA-256 of the first `size` bytes of the generated content, hashed block by block.
 *
 * @example
 * ```ts
 * const expected = contentSha256(32 * 1024 * 1024);
 * ```
 */
export function contentSha256(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of contentChunks(0, size)) hash.update(chunk);
  return hash.digest('hex');
}
