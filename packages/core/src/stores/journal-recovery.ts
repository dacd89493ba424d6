import { decodeJournalManifest, decodeJournalValues, type JournalBatch, type JournalManifest } from './journal-batch.js';
import { crc32 } from './journal-crc32.js';
import { frameHeaderLength, journalFormatVersion } from './journal-frame.js';

/** A frame read back from bytes whose header checksum failed, its manifest vouched for by its own. */
export interface RecoveredFrame {
  readonly start: number;
  readonly end: number;
  readonly manifest: JournalManifest;
  /** The whole batch when the values' checksum holds too; null when only the keys are known. */
  readonly batch: JournalBatch | null;
}

/** What {@link recoverRun} read from an unreadable run. */
export interface RecoveredRun {
  /** The frames read, in order, from the run's first byte on. */
  readonly frames: readonly RecoveredFrame[];
  /** Where the bytes nothing could be read from begin (they last to the run's end); null when none are left. */
  readonly unknownFrom: number | null;
}

/**
 * Reads what it can from a run of bytes where no frame with a good header checksum starts (most
 * often one frame whose header took the damage). Bytes 17-20 check only bytes 0-16; the manifest
 * and the values have checksums of their own (bytes 21-28), so a frame is read back from its
 * unchecked lengths when its manifest's checksum holds over them and the frame fits the run. Its
 * values are believed only when their checksum holds too, over the stored length or over the rest
 * of the run (a damaged values length); otherwise only its keys are known. The frame's
 * `durableBefore` is not used: whether the run is durable is for the frames after it to prove.
 * A version byte other than this format's is not guessed at.
 *
 * Each step checks at most two spans of the run, and a step that checks up to the run's end is
 * the last one, so the work stays linear in the run's length whatever the bytes.
 *
 * @example
 * ```ts
 * const { frames, unknownFrom } = recoverRun(bytes, runStart, runEnd);
 * ```
 */
export function recoverRun(bytes: Uint8Array, start: number, end: number): RecoveredRun {
  const frames: RecoveredFrame[] = [];
  let p = start;
  while (p < end) {
    const frame = recoverFrame(bytes, p, end);
    if (frame === null) return { frames, unknownFrom: p };
    frames.push(frame);
    // A frame whose values did not check has an unchecked length: where the next one starts is
    // a guess, and what follows is left unknown rather than read from a guessed place.
    if (frame.batch === null && frame.end < end) return { frames, unknownFrom: frame.end };
    p = frame.end;
  }
  return { frames, unknownFrom: null };
}

function recoverFrame(bytes: Uint8Array, p: number, end: number): RecoveredFrame | null {
  if (end - p < frameHeaderLength || bytes[p] !== journalFormatVersion) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + p, frameHeaderLength);
  const manifestEnd = p + frameHeaderLength + view.getUint32(1, true);
  if (manifestEnd > end || crc32(bytes, p + frameHeaderLength, manifestEnd) !== view.getUint32(21, true)) return null;
  const manifest = decodeJournalManifest(bytes.subarray(p + frameHeaderLength, manifestEnd));
  if (manifest === null) return null;
  const valuesCrc = view.getUint32(25, true);
  const storedEnd = manifestEnd + view.getUint32(5, true);
  for (const valuesEnd of storedEnd < end ? [storedEnd, end] : [end]) {
    if (crc32(bytes, manifestEnd, valuesEnd) !== valuesCrc) continue;
    const batch = decodeJournalValues(manifest, bytes.subarray(manifestEnd, valuesEnd));
    if (batch !== null) return { start: p, end: valuesEnd, manifest, batch };
  }
  // The keys are known, the values are not. A stored length past the run is wrong: where the
  // frame ends is then unknown, and so is everything after its manifest.
  return { start: p, end: storedEnd > end ? manifestEnd : storedEnd, manifest, batch: null };
}
