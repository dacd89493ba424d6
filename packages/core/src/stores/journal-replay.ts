import type { StoreProblem } from '../ports/store.js';
import { decodeJournalManifest, decodeJournalValues, type JournalBatch, type JournalManifest } from './journal-batch.js';
import { crc32 } from './journal-crc32.js';
import { frameHeaderLength, frameLength, journalFormatVersion, readFrameHeader, type FrameHeader } from './journal-frame.js';
import { JournalDamage } from './journal-damage.js';
import { recoverRun } from './journal-recovery.js';
import { JournalState } from './journal-state.js';
import { putRanges } from './journal-span.js';

/** What reading a journal found. */
export interface JournalReplay {
  readonly state: JournalState;
  /** Unreadable bytes (`journal@<start>-<end>`, no key) in file order, a header that may be out of date, a newer format (lost records are in `state`). */
  readonly problems: readonly StoreProblem[];
  /** Where the file must end: a torn tail from here on is to be cut. The file's length when nothing is. */
  readonly validLength: number;
  /** A frame of a newer format: nothing from it on was loaded, and the file must not be written. */
  readonly newerVersion: { readonly offset: number; readonly version: number } | null;
}

const frame = 0;
const torn = 1;
const garbage = 2;

/**
 * The journal cut into segments: whole frames, a torn last frame, unreadable runs. One array per
 * field, not an object per segment: a relaunch replays journals of 150,000 frames (B5), and an
 * object (and a header object) for each, held to the end of the replay, outlived collections for
 * nothing.
 */
class Segments {
  readonly kind: number[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  /** The frame's format version; 0 for an unreadable run. */
  readonly version: number[] = [];
  readonly manifestLength: number[] = [];
  readonly durableBefore: number[] = [];
  readonly manifestCrc: number[] = [];
  readonly valuesCrc: number[] = [];

  get length(): number {
    return this.kind.length;
  }

  push(kind: number, start: number, end: number, header: FrameHeader | null): void {
    this.kind.push(kind);
    this.start.push(start);
    this.end.push(end);
    this.version.push(header?.version ?? 0);
    this.manifestLength.push(header?.manifestLength ?? 0);
    this.durableBefore.push(header?.durableBefore ?? 0);
    this.manifestCrc.push(header?.manifestCrc ?? 0);
    this.valuesCrc.push(header?.valuesCrc ?? 0);
  }
}

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
 * A frame whose header checksum fails is read back from its manifest's and values' own checksums
 * when they hold (`recoverRun`). Where the keys stay unknown, every record written before the
 * unreadable bytes is reported lost, and the header is reported out of date when they follow it
 * (`JournalDamage`): an older version of a record never comes back in place of what they held.
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
  const count = segments.length;
  // Per segment: bit 0 the manifest checksum holds, bit 1 the values checksum holds.
  const checks = checkBodies(bytes, segments);
  const damaged = (i: number): boolean => segments.kind[i] !== frame || checks[i] !== 3;
  const proven = provenDurable(segments);

  let cut: number | null = null;
  for (let i = 0; i < count && cut === null; i += 1) {
    const last = i === count - 1;
    // A torn frame is always cut, even a durable one: its length would swallow what is appended.
    if ((damaged(i) && proven[i] !== 1) || (last && segments.kind[i] === torn)) cut = i;
  }
  let newer = -1;
  for (let i = 0; i < count && newer === -1; i += 1) if (segments.kind[i] !== garbage && (segments.version[i] as number) > journalFormatVersion) newer = i;
  const stop = Math.min(newer === -1 ? count : newer, cut === null || proven[cut] === 1 ? count : cut);

  const state = new JournalState();
  const problems: StoreProblem[] = [];
  const damage = new JournalDamage(state, problems, snapshotEnd(segments));
  for (let i = 0; i < stop; i += 1) {
    const start = segments.start[i] as number;
    const end = segments.end[i] as number;
    if (segments.kind[i] === torn) {
      // Cut short, but its header holds: the rest of the file is its body, and its manifest may be whole.
      const manifest = tornManifest(bytes, start, end);
      if (manifest === null) damage.unknown(start, end);
      else applyFrame(state, damage, start, manifest, null);
      continue;
    }
    if (segments.kind[i] === garbage) {
      const run = recoverRun(bytes, start, end);
      for (const recovered of run.frames) applyFrame(state, damage, recovered.start, recovered.manifest, recovered.batch);
      if (run.unknownFrom !== null) damage.unknown(run.unknownFrom, end);
      continue;
    }
    const manifestEnd = start + frameHeaderLength + (segments.manifestLength[i] as number);
    const check = checks[i] as number;
    const manifest = (check & 1) === 1 ? decodeJournalManifest(bytes.subarray(start + frameHeaderLength, manifestEnd)) : null;
    if (manifest === null) {
      damage.unknown(start, end);
      continue;
    }
    const batch = (check & 2) === 2 ? decodeJournalValues(manifest, bytes.subarray(manifestEnd, end)) : null;
    const spans = batch === null ? undefined : putSpans(state, bytes, manifestEnd, end, segments.valuesCrc[i] as number, batch);
    applyFrame(state, damage, start, manifest, batch, spans);
  }
  damage.reportHeader();
  let newerVersion: JournalReplay['newerVersion'] = null;
  if (newer !== -1) {
    const offset = segments.start[newer] as number;
    const version = segments.version[newer] as number;
    newerVersion = { offset, version };
    problems.push({
      code: 'UnsupportedStoreVersion',
      path: `journal@${offset}`,
      message: `The journal holds a frame of format version ${version} at byte ${offset}; this library reads version ${journalFormatVersion}. Nothing from there on was loaded, and the store refuses writes.`,
    });
  }
  const validLength = newer === -1 && cut !== null ? (segments.start[cut] as number) : bytes.length;
  return { state, problems, validLength, newerVersion };
}

/** Splits the bytes into frames (header intact, whole), a torn last frame, and unreadable runs. */
function segment(bytes: Uint8Array): Segments {
  const segments = new Segments();
  let p = 0;
  while (p < bytes.length) {
    const header = readFrameHeader(bytes, p);
    if (header !== null) {
      const end = p + frameLength(header);
      // A header whose checksum holds is believed: if its frame runs past the end, the rest of the
      // file is its body, torn.
      if (end <= bytes.length) segments.push(frame, p, end, header);
      else segments.push(torn, p, bytes.length, header);
      p = Math.min(end, bytes.length);
      continue;
    }
    let q = p + 1;
    while (q < bytes.length && !wholeFrameAt(bytes, q)) q += 1;
    segments.push(garbage, p, q, null);
    p = q;
  }
  return segments;
}

function wholeFrameAt(bytes: Uint8Array, offset: number): boolean {
  const header = readFrameHeader(bytes, offset);
  return header !== null && offset + frameLength(header) <= bytes.length;
}

/**
 * Checks each whole frame's two body checksums: bit 0 set when the manifest's holds, bit 1 when
 * the values'. 0 for a torn frame or an unreadable run.
 */
function checkBodies(bytes: Uint8Array, segments: Segments): Uint8Array {
  const checks = new Uint8Array(segments.length);
  for (let i = 0; i < segments.length; i += 1) {
    if (segments.kind[i] !== frame) continue;
    // A newer format's body is not ours to check: only its header layout is promised.
    if (segments.version[i] !== journalFormatVersion) {
      checks[i] = 3;
      continue;
    }
    const start = segments.start[i] as number;
    const manifestEnd = start + frameHeaderLength + (segments.manifestLength[i] as number);
    const manifestOk = crc32(bytes, start + frameHeaderLength, manifestEnd) === segments.manifestCrc[i];
    const valuesOk = crc32(bytes, manifestEnd, segments.end[i] as number) === segments.valuesCrc[i];
    checks[i] = (manifestOk ? 1 : 0) | (valuesOk ? 2 : 0);
  }
  return checks;
}

/** Whether some frame at or after each segment says the segment's first byte was durable (1). */
function provenDurable(segments: Segments): Uint8Array {
  const proven = new Uint8Array(segments.length);
  let durable = 0;
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    if (segments.kind[i] !== garbage) durable = Math.max(durable, segments.durableBefore[i] as number);
    proven[i] = durable > (segments.start[i] as number) ? 1 : 0;
  }
  return proven;
}

/**
 * Where each put of a whole frame's batch has its text in the file (its values run from `start` to
 * `end`, with CRC-32 `crc`), as spans of the state's table, in the order of the puts; each span
 * carries its text until the open has handed the contents out (ADR 29).
 */
function putSpans(state: JournalState, bytes: Uint8Array, start: number, end: number, crc: number, batch: JournalBatch): number[] {
  const frame = state.spans.addFrame(start, end, crc);
  const puts = batch.entries.filter((entry) => entry.type === 'put');
  return putRanges(batch, bytes, start, end).map(([from, to], i) => state.spans.add(frame, from, to - from, (puts[i] as { readonly text: string }).text));
}

/** Applies a frame whose manifest is known: the whole batch, or, when its values are unreadable, its deletes, its puts becoming lost. */
function applyFrame(state: JournalState, damage: JournalDamage, start: number, manifest: JournalManifest, batch: JournalBatch | null, spans?: readonly number[]): void {
  if (batch !== null) {
    if (batch.headerText !== undefined) damage.headerRead();
    state.apply(batch, spans);
    return;
  }
  if (manifest.header) damage.headerLost(start);
  for (const [type, collection, key] of manifest.operations) {
    if (type === 'delete') state.applyEntry({ type, collection, key });
    else {
      const message = `The record ${collection}/${key} written at journal byte ${start} is unreadable (checksum mismatch); it is left out.`;
      state.applyEntry({ type: 'lost', collection, key, message });
    }
  }
}

/** The manifest of a frame cut short, when all of it is there and its checksum holds. */
function tornManifest(bytes: Uint8Array, start: number, end: number): JournalManifest | null {
  const header = readFrameHeader(bytes, start);
  if (header === null || header.version !== journalFormatVersion) return null;
  const manifestEnd = start + frameHeaderLength + header.manifestLength;
  if (manifestEnd > end || crc32(bytes, start + frameHeaderLength, manifestEnd) !== header.manifestCrc) return null;
  return decodeJournalManifest(bytes.subarray(start + frameHeaderLength, manifestEnd));
}

/**
 * Where the compaction snapshot the journal starts with ends, or 0 when it starts with none. A
 * snapshot's frames say the whole snapshot is durable (`durableBefore` past their own start),
 * which no appended frame can say: it was written at the end of what was synced.
 */
function snapshotEnd(segments: Segments): number {
  for (let i = 0; i < segments.length; i += 1) {
    const durableBefore = segments.durableBefore[i] as number;
    if (segments.kind[i] !== garbage && durableBefore > (segments.start[i] as number)) return durableBefore;
  }
  return 0;
}
