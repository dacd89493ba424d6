import type { StoreHeader } from '../model/store-header.js';

/**
 * How far ahead a written store header counts (ADR 28): the header is written when a commit uses a
 * task identifier or an event sequence number past what the last written header counts, and then
 * counts this many more, so most commits carry no header. An open that finds the newest header lost
 * moves both counters past what the lost headers could have reserved (`loadStore`).
 */
export const headerReservation = {
  /** Task identifiers a written header counts past the highest in use. */
  identifiers: 64,
  /** Event sequence numbers a written header counts past the highest in use. */
  sequences: 1024,
} as const;

/**
 * What the stored header counts, and the header a commit carries. The stored header must count
 * every identifier and sequence number a stored record uses, or one whose record was deleted could
 * be issued again after a relaunch (invariant #5); writing it with each creation and each task end
 * wrote a 1 KiB header twice per task (B3), and most of a journal's bytes (B5). So it is written
 * when a commit uses one past what the stored header counts, and then counts a block more (ADR 28):
 * commits land in the order they are made, so a later commit's record is covered by the header of
 * the one before it. A relaunch's identifiers start after the block: never reused, never dense.
 *
 * @example
 * ```ts
 * const reserved = new HeaderReservation(loadedHeader);
 * const header = reserved.headerFor(runtimeHeader, false); // null: nothing past the block yet
 * ```
 */
export class HeaderReservation {
  private task: number;
  private sequence: number;

  constructor(stored: StoreHeader) {
    this.task = stored.highestTaskIdentifier;
    this.sequence = stored.highestSequence;
  }

  /** The header to write with a commit made now (`current` is the header in memory), or null when it needs none. */
  headerFor(current: StoreHeader, asked: boolean): StoreHeader | null {
    const { highestTaskIdentifier: task, highestSequence: sequence } = current;
    if (task > this.task) this.task = Math.min(Number.MAX_SAFE_INTEGER, task + headerReservation.identifiers);
    else if (sequence <= this.sequence && !asked) return null;
    if (sequence > this.sequence) this.sequence = Math.min(Number.MAX_SAFE_INTEGER, sequence + headerReservation.sequences);
    return { ...current, highestTaskIdentifier: Math.max(task, this.task), highestSequence: Math.max(sequence, this.sequence) };
  }
}
