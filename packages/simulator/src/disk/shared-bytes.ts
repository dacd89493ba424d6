/**
 * The buffers of the world that nobody writes once they are filled (a `ContentPattern`'s bytes).
 * The lossy disk keeps a write of a view into one of them by reference instead of copying it, so a
 * simulated day of downloads served from a pattern holds no file bytes of its own.
 */
const sharedBuffers = new WeakSet<ArrayBufferLike>();

/**
 * Declares `bytes`' whole buffer immutable from now on: the simulator may keep views of it anywhere.
 *
 * @example
 * ```ts
 * const pattern = new Uint8Array(4096).fill(7);
 * shareBytes(pattern);
 * isShared(pattern.subarray(10, 20)); // true
 * ```
 */
export function shareBytes(bytes: Uint8Array): void {
  sharedBuffers.add(bytes.buffer);
}

/** Whether `bytes` is a view into a buffer declared immutable by {@link shareBytes}. */
export function isShared(bytes: Uint8Array): boolean {
  return sharedBuffers.has(bytes.buffer);
}
