/**
 * The CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) lookup tables for slicing by four,
 * built once: table k gives the CRC of a byte followed by k zero bytes, so four bytes are folded
 * in per step instead of one (every commit's frame is checked three times).
 */
const tables: readonly [Uint32Array, Uint32Array, Uint32Array, Uint32Array] = buildTables();

function buildTables(): [Uint32Array, Uint32Array, Uint32Array, Uint32Array] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let bit = 0; bit < 8; bit += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const next = (previous: Uint32Array): Uint32Array => previous.map((c) => ((c >>> 8) ^ (t0[c & 0xff] as number)) >>> 0);
  const t1 = next(t0);
  const t2 = next(t1);
  return [t0, t1, t2, next(t2)];
}

/**
 * The CRC-32 of `bytes[start, end)`, the checksum zlib, PNG and gzip use. It is written here
 * because the core has no platform API (no `node:zlib`); the journal checks every frame with it.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const [t0, t1, t2, t3] = tables;
  let crc = 0xffffffff;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    crc ^= (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    crc = (t3[crc & 0xff] as number) ^ (t2[(crc >>> 8) & 0xff] as number) ^ (t1[(crc >>> 16) & 0xff] as number) ^ (t0[crc >>> 24] as number);
  }
  for (; i < end; i += 1) crc = (t0[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
