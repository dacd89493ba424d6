import type { StoreProblem } from '../ports/store.js';
import type { JournalState } from './journal-state.js';

/**
 * What a replay does about damage whose keys are unknown (a manifest that does not check, bytes
 * no frame could be read from), and what it says about the header. Fed in file order.
 *
 * Unreadable bytes may have changed or deleted any record written before them: every record live
 * at that point is marked lost (`CorruptRecord` with its collection and key), so the core
 * quarantines it instead of bringing back an older version of it (an acknowledged event delivered
 * again, an ended task run again). A later write of a key supersedes its loss. Bytes inside the
 * compaction snapshot the journal starts with are the exception: a snapshot writes each key once
 * and deletes nothing, so its unreadable frames lose only their own (unknown) records.
 *
 * The header can be behind too: unreadable bytes after it may have issued task identifiers and
 * sequence numbers it does not count. Then a `header` problem says so, and the core moves both
 * numbers past what the unreadable bytes could hold (the length in their `journal@<start>-<end>`
 * paths): an identifier is never issued twice (invariant #5). A header written after them counts
 * everything issued before it, so the problem (and the jump) lasts only until the header is
 * written again, which every open of a session does.
 *
 * @example
 * ```ts
 * const damage = new JournalDamage(state, problems, 0);
 * damage.unknown(4096, 4180);
 * damage.reportHeader();
 * ```
 */
export class JournalDamage {
  /** Why the header in effect may be out of date, or null when it is not. */
  private headerNote: string | null = null;

  constructor(
    private readonly state: JournalState,
    private readonly problems: StoreProblem[],
    /** Where the compaction snapshot the journal starts with ends (0 for none). */
    private readonly snapshotEnd: number,
  ) {}

  /** Bytes `start`-`end` are unreadable and the records they changed unknown. */
  unknown(start: number, end: number): void {
    this.problems.push({
      code: 'CorruptRecord',
      path: `journal@${start}-${end}`,
      message: `Journal bytes ${start}-${end} are unreadable; the records they changed are unknown.`,
    });
    const inSnapshot = end <= this.snapshotEnd;
    if (!inSnapshot) {
      this.state.loseAll(`The record was written before journal bytes ${start}-${end}, which are unreadable and may have changed or deleted it; it is left out.`);
    }
    // Only a snapshot's first frame holds a header.
    if (!inSnapshot || start === 0) {
      this.headerNote =
        this.state.headerText === null
          ? `No header was read; journal bytes ${start}-${end} are unreadable and may have held one.`
          : `The header may be out of date: journal bytes ${start}-${end}, written after it, are unreadable and may have changed it.`;
    }
  }

  /** A frame changed the header, but its values are unreadable: the header before it stays. */
  headerLost(start: number): void {
    this.headerNote = `The header written at journal byte ${start} is unreadable; the one before it is used.`;
  }

  /** A frame's header was read: it is the header now, and it counts everything issued before it. */
  headerRead(): void {
    this.headerNote = null;
  }

  /** Reports the header as out of date when it is; called once, after the last frame. */
  reportHeader(): void {
    if (this.headerNote !== null) this.problems.push({ code: 'CorruptRecord', path: 'header', message: this.headerNote });
  }
}
