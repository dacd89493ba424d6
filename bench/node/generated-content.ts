import { createCipheriv, createHash } from 'node:crypto';

/** Generated in slices of this size, so making 1 GiB never holds a second copy of it. */
const sliceBytes = 64 * 2 ** 20;

/**
 * The benchmark file's bytes: AES-128-CTR over zeros with a fixed key, so the content is the same on
 * every run, does not compress, repeats nowhere (a resume at a wrong offset changes the sha256), and
 * is made at about a GB/s instead of the seconds a JS generator takes for 1 GiB.
 *
 * @example
 * ```ts
 * const content = generatedContent(64 * 2 ** 20);
 * ```
 */
export function generatedContent(size: number): Buffer {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x5a), Buffer.alloc(16, 0));
  const content = Buffer.allocUnsafe(size);
  const zeros = Buffer.alloc(Math.min(size, sliceBytes));
  for (let offset = 0; offset < size; offset += sliceBytes) {
    const length = Math.min(sliceBytes, size - offset);
    cipher.update(zeros.subarray(0, length)).copy(content, offset);
  }
  return content;
}

/**
 * The hex SHA-256 of some bytes.
 *
 * @example
 * ```ts
 * sha256Hex(generatedContent(1024)).length; // 64
 * ```
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
