/**
 * The named places where a crash is most likely to break a promise, in the order a download
 * passes them:
 * - `data-write`: a chunk of a download is about to be appended to its partial file;
 * - `journal-append`: a group of commits is about to be appended to the journal;
 * - `compaction-rename`: a compacted journal is synced and about to be renamed over the old one;
 * - `completion-rename`: a finished file is about to be moved to the app's destination;
 * - `event-delivery`: a durable event is about to be handed to the app's listener;
 * - `handler-returned`: the listener returned and the acknowledgement is not yet committed.
 */
export const crashPoints = [
  'data-write',
  'journal-append',
  'compaction-rename',
  'completion-rename',
  'event-delivery',
  'handler-returned',
] as const;

/** One of {@link crashPoints}. */
export type CrashPoint = (typeof crashPoints)[number];

/**
 * Told each time the code passes a {@link CrashPoint}, so a test can kill the process (or cut the
 * power, in the simulator) exactly there. Production hosts pass none.
 *
 * Guarantees the library keeps: `pass` is called synchronously, immediately before the step the
 * point names, and nothing the step does has started yet. A probe may end the process inside
 * `pass` (that is its purpose); it must not throw otherwise.
 *
 * @example
 * ```ts
 * import type { Probe } from '@bgsession/core';
 *
 * const counts = new Map<string, number>();
 * const probe: Probe = { pass: (point) => counts.set(point, (counts.get(point) ?? 0) + 1) };
 * ```
 */
export interface Probe {
  pass(point: CrashPoint): void;
}
