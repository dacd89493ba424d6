import { crc32 } from './journal-crc32.js';

/**
 * The journal's frame layout (docs/decisions/0009-journal-format.md), little-endian:
 *
 * | bytes | field |
 * |---|---|
 * | 0 | format version (1) |
 * | 1-4 | manifest length M |
 * | 5-8 | values length V |
 * | 9-16 | durableBefore: every byte of the file before this offset was durable when the frame was written (u32 low, u32 high) |
 * | 17-20 | CRC-32 of bytes 0-16 |
 * | 21-24 | CRC-32 of the manifest |
 * | 25-28 | CRC-32 of the values |
 * | 29.. | the manifest (M bytes), then the values (V bytes) |
 *
 * Three checksums, not one, so that damage is contained: a good header CRC means the lengths can
 * be trusted and the next frame is found without guessing; a good manifest CRC means the keys a
 * frame touched are known even when its values are garbled, so only those keys are quarantined.
 * Later versions keep bytes 0-20 as they are, so this reader recognises their frames and reports
 * `UnsupportedStoreVersion` instead of corruption.
 */
export const frameHeaderLength = 29;

/** The format version this library writes. */
export const journalFormatVersion = 1;

/**
 * The highest version byte a frame may carry. Versions stay below 0x20 because JSON text never
 * contains a raw control character, so a frame start can never be found inside a payload.
 */
export const highestFrameVersion = 0x1f;

const twoTo32 = 2 ** 32;

/** A frame's header, read and checked. */
export interface FrameHeader {
  readonly version: number;
  readonly manifestLength: number;
  readonly valuesLength: number;
  readonly durableBefore: number;
  readonly manifestCrc: number;
  readonly valuesCrc: number;
}

/**
 * Lays out one frame around an encoded manifest and values.
 *
 * @example
 * ```ts
 * const frame = encodeFrame(manifestBytes, valuesBytes, durableLength);
 * await handle.write(frame, length);
 * ```
 */
export function encodeFrame(manifest: Uint8Array, values: Uint8Array, durableBefore: number): Uint8Array {
  const frame = new Uint8Array(frameHeaderLength + manifest.length + values.length);
  const view = new DataView(frame.buffer);
  view.setUint8(0, journalFormatVersion);
  view.setUint32(1, manifest.length, true);
  view.setUint32(5, values.length, true);
  view.setUint32(9, durableBefore % twoTo32, true);
  view.setUint32(13, Math.floor(durableBefore / twoTo32), true);
  view.setUint32(17, crc32(frame, 0, 17), true);
  view.setUint32(21, crc32(manifest), true);
  view.setUint32(25, crc32(values), true);
  frame.set(manifest, frameHeaderLength);
  frame.set(values, frameHeaderLength + manifest.length);
  return frame;
}

/**
 * The header of the frame that starts at `offset`, or null when none does there: too few bytes
 * left, a version byte outside 1-31, or a header checksum that does not match. A header is read
 * whatever its version (a newer one is reported by the caller); its body may still be damaged.
 *
 * @example
 * ```ts
 * const header = readFrameHeader(bytes, 0);
 * if (header !== null) console.log(frameHeaderLength + header.manifestLength + header.valuesLength);
 * ```
 */
export function readFrameHeader(bytes: Uint8Array, offset: number): FrameHeader | null {
  if (offset + frameHeaderLength > bytes.length) return null;
  const version = bytes[offset] as number;
  if (version < 1 || version > highestFrameVersion) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, frameHeaderLength);
  if (view.getUint32(17, true) !== crc32(bytes, offset, offset + 17)) return null;
  return {
    version,
    manifestLength: view.getUint32(1, true),
    valuesLength: view.getUint32(5, true),
    durableBefore: view.getUint32(9, true) + view.getUint32(13, true) * twoTo32,
    manifestCrc: view.getUint32(21, true),
    valuesCrc: view.getUint32(25, true),
  };
}

/** The length of a whole frame with this header. */
export function frameLength(header: FrameHeader): number {
  return frameHeaderLength + header.manifestLength + header.valuesLength;
}
