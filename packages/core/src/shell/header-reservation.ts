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
