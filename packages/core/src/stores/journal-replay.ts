import type { StoreProblem } from '../ports/store.js';
import { decodeJournalManifest, decodeJournalValues, type JournalManifest } from './journal-batch.js';
import { crc32 } from './journal-crc32.js';
import { frameHeaderLength, frameLength, journalFormatVersion, readFrameHeader, type FrameHeader } from './journal-frame.js';
import { JournalState } from './journal-state.js';

/** What reading a journal found. */
export interface JournalReplay {
  readonly state: JournalState;
  /** Unreadable bytes, an unreadable header, a newer format: in file order (lost records are in `state`). */
  readonly problems: readonly StoreProblem[];
  /** Where the file must end: a torn tail from here on is to be cut. The file's length when nothing is. */
  readonly validLength: number;
  /** A frame of a newer format: nothing from it on was loaded, and the file must not be written. */
  readonly newerVersion: { readonly offset: number; readonly version: number } | null;
}

type Segment =
  | { readonly kind: 'frame'; readonly start: number; readonly end: number; readonly header: FrameHeader }
  | { readonly kind: 'torn'; readonly start: number; readonly end: number; readonly header: FrameHeader }
  | { readonly kind: 'garbage'; readonly start: number; readonly end: number };

/**
 * Replays a journal's bytes into the state they describe, never throwing (invariant #17).
 *
 * Damage is told apart from a torn tail by the `durableBefore` each frame carries: bytes before
 * it were synced when the frame was written, so damage there is corruption of durable data, which
 * is reported (`CorruptRecord`) and skipped while later frames still load. Damage that no later
 * frame proves durable is what a crash leaves of writes that were never synced: it and everything
 * after it are cut, so the state is always that of a prefix of the commits (invariant #18), never a
 * later commit applied over a lost earlier one.
 *
 * @example
 * ```ts
 * const replay = replayJournal(bytes);
 * if (replay.validLength < bytes.length) await handle.truncate(replay.validLength);
 * const contents = replay.state.contents(replay.problems);
 * ```
 */
export function replayJournal(bytes: Uint8Array): JournalReplay {
  const segments = segment(bytes);
  const checks = segments.map((s) => checkBody(bytes, s));
  const damaged = checks.map((c) => c === null || !c.manifestOk || !c.valuesOk);
  const proven = provenDurable(segments);

  let cut: number | null = null;
  for (let i = 0; i < segments.length && cut === null; i += 1) {
    const last = i === segments.length - 1;
    // A torn frame is always cut, even a durable one: its length would swallow what is appended.
    if ((damaged[i] === true && proven[i] !== true) || (last && segments[i]?.kind === 'torn')) cut = i;
  }
  const newer = segments.findIndex((s) => s.kind !== 'garbage' && s.header.version > journalFormatVersion);
  const stop = Math.min(newer === -1 ? segments.length : newer, cut === null || proven[cut] === true ? segments.length : cut);

  const state = new JournalState();
  const problems: StoreProblem[] = [];
  let lostHeaderAt: number | null = null;
  for (let i = 0; i < stop; i += 1) {
    const s = segments[i] as Segment;
    if (s.kind !== 'frame') {
      problems.push(unreadable(s.start, s.end));
      continue;
    }
    const manifestBytes = bytes.subarray(s.start + frameHeaderLength, s.start + frameHeaderLength + s.header.manifestLength);
    const valuesBytes = bytes.subarray(s.start + frameHeaderLength + s.header.manifestLength, s.end);
    const check = checks[i] as BodyCheck;
    const manifest = check.manifestOk ? decodeJournalManifest(manifestBytes) : null;
    if (manifest === null) {
      problems.push(unreadable(s.start, s.end));
      continue;
    }
    const batch = check.valuesOk ? decodeJournalValues(manifest, valuesBytes) : null;
    if (batch === null) {
      if (manifest.header) lostHeaderAt = s.start;
      salvage(state, manifest, s.start);
      continue;
    }
    if (batch.headerText !== undefined) lostHeaderAt = null;
    state.apply(batch);
  }
  if (lostHeaderAt !== null) {
    problems.push({ code: 'CorruptRecord', path: 'header', message: `The header written at journal byte ${lostHeaderAt} is unreadable; the one before it is used.` });
  }
  let newerVersion: JournalReplay['newerVersion'] = null;
  if (newer !== -1) {
    const s = segments[newer] as Exclude<Segment, { kind: 'garbage' }>;
    newerVersion = { offset: s.start, version: s.header.version };
    problems.push({
      code: 'UnsupportedStoreVersion',
      path: `journal@${s.start}`,
      message: `The journal holds a frame of format version ${s.header.version} at byte ${s.start}; this library reads version ${journalFormatVersion}. Nothing from there on was loaded, and the store refuses writes.`,
    });
  }
  const validLength = newer === -1 && cut !== null ? (segments[cut] as Segment).start : bytes.length;
  return { state, problems, validLength, newerVersion };
}

/** Splits the bytes into frames (header intact, whole), a torn last frame, and unreadable runs. */
function segment(bytes: Uint8Array): Segment[] {
  const segments: Segment[] = [];
  let p = 0;
  while (p < bytes.length) {
    const header = readFrameHeader(bytes, p);
    if (header !== null) {
      const end = p + frameLength(header);
      // A header whose checksum holds is believed: if its frame runs past the end, the rest of the
      // file is its body, torn.
      segments.push(end <= bytes.length ? { kind: 'frame', start: p, end, header } : { kind: 'torn', start: p, end: bytes.length, header });
      p = Math.min(end, bytes.length);
      continue;
    }
    let q = p + 1;
    while (q < bytes.length && !wholeFrameAt(bytes, q)) q += 1;
    segments.push({ kind: 'garbage', start: p, end: q });
    p = q;
  }
  return segments;
}

function wholeFrameAt(bytes: Uint8Array, offset: number): boolean {
  const header = readFrameHeader(bytes, offset);
  return header !== null && offset + frameLength(header) <= bytes.length;
}

interface BodyCheck {
  readonly manifestOk: boolean;
  readonly valuesOk: boolean;
}

/** Checks a whole frame's two body checksums; null for a torn frame or an unreadable run. */
function checkBody(bytes: Uint8Array, s: Segment): BodyCheck | null {
  if (s.kind !== 'frame') return null;
  // A newer format's body is not ours to check: only its header layout is promised.
  if (s.header.version !== journalFormatVersion) return { manifestOk: true, valuesOk: true };
  const manifestEnd = s.start + frameHeaderLength + s.header.manifestLength;
  return {
    manifestOk: crc32(bytes, s.start + frameHeaderLength, manifestEnd) === s.header.manifestCrc,
    valuesOk: crc32(bytes, manifestEnd, s.end) === s.header.valuesCrc,
  };
}

/** Whether some frame at or after each segment says the segment's first byte was durable. */
function provenDurable(segments: readonly Segment[]): boolean[] {
  const proven = new Array<boolean>(segments.length).fill(false);
  let durable = 0;
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const s = segments[i] as Segment;
    if (s.kind !== 'garbage') durable = Math.max(durable, s.header.durableBefore);
    proven[i] = durable > s.start;
  }
  return proven;
}

/** Applies what is known of a frame whose values are unreadable: its deletes; its puts become lost. */
function salvage(state: JournalState, manifest: JournalManifest, start: number): void {
  for (const [type, collection, key] of manifest.operations) {
    if (type === 'delete') state.applyEntry({ type, collection, key });
    else {
      const message = `The record ${collection}/${key} written at journal byte ${start} is unreadable (checksum mismatch); it is left out.`;
      state.applyEntry({ type: 'lost', collection, key, message });
    }
  }
}

function unreadable(start: number, end: number): StoreProblem {
  return {
    code: 'CorruptRecord',
    path: `journal@${start}`,
    message: `Journal bytes ${start}-${end} are unreadable; the records they changed are unknown.`,
  };
}
