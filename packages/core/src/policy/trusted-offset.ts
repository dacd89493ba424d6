import type { Checkpoint } from '../model/task-types.js';

/**
 * How many of a download's kept bytes a relaunch may resume from (semantics section 5); the
 * partial file is cut back to this length before the next attempt.
 *
 * - No partial file, or no checkpoint: 0. Without a checkpoint there is no validator the bytes
 *   were fetched under, so they cannot be resumed whatever their number.
 * - Same boot, and the byte store's unsynced bytes survive their writer: the file's length. A
 *   killed process's writes are intact in the OS's cache, so nothing it wrote is fetched again
 *   (invariant #7), never more than the checkpoint's expected length, past which bytes cannot be
 *   the content.
 * - Another boot (a power loss may have kept, dropped or garbled anything unsynced), or a store
 *   whose unsynced bytes die with their writer (OPFS writables): the checkpoint's offset, never
 *   more than the file holds.
 *
 * @example
 * ```ts
 * const checkpoint = { offset: 4096, validator: null, expectedLength: 10_000, bootIdentity: 'boot-a' };
 * trustedOffset(checkpoint, 'boot-a', 6000, true); // 6000: same boot, nothing lost
 * trustedOffset(checkpoint, 'boot-b', 6000, true); // 4096: the machine restarted
 * ```
 */
export function trustedOffset(
  checkpoint: Checkpoint | null,
  bootNow: string,
  fileLength: number | null,
  unsyncedSurviveWriter: boolean,
): number {
  if (checkpoint === null || fileLength === null || fileLength <= 0) return 0;
  if (checkpoint.bootIdentity === bootNow && unsyncedSurviveWriter) {
    return checkpoint.expectedLength === null ? fileLength : Math.min(fileLength, checkpoint.expectedLength);
  }
  return Math.max(0, Math.min(checkpoint.offset, fileLength));
}
