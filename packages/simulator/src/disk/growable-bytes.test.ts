import { describe, expect, it } from 'vitest';
import { GrowableBytes } from './growable-bytes.js';

const MiB = 1024 * 1024;

describe('GrowableBytes', () => {
  it('holds a file past the 64 MiB where its chunks stop doubling, reads across chunks, and grows back with zeros after a cut', () => {
    const bytes = new GrowableBytes();
    const marker = new Uint8Array(300).map((_, i) => (i % 255) + 1);
    const far = 64 * MiB - 100; // straddles the last doubled chunk and the first fixed one
    bytes.write(marker, far);
    expect(bytes.length).toBe(far + 300);
    expect(bytes.read(far - 2, 304)).toEqual(Uint8Array.from([0, 0, ...marker, ]));
    expect(bytes.read(1000, 10)).toEqual(new Uint8Array(10));
    const cut = bytes.cut(far + 150);
    expect(cut.reduce((sum, piece) => sum + piece.length, 0)).toBe(150);
    expect(Uint8Array.from(cut.flatMap((piece) => Array.from(piece)))).toEqual(marker.subarray(150));
    bytes.truncate(far + 300);
    expect(bytes.read(far, 300)).toEqual(Uint8Array.from([...marker.subarray(0, 150), ...new Uint8Array(150)]));
    bytes.truncate(10);
    bytes.truncate(far + 300);
    expect(bytes.read(far, 300)).toEqual(new Uint8Array(300));
  });
});
