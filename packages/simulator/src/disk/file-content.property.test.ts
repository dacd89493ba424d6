import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sectorSize, type CrashPiece, type SectorFate } from './crash-image.js';
import { FileContent } from './file-content.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);

/** The crash model spelled out the slow way: every byte of every unsynced write kept, and the durable bytes apart. */
class ReferenceFile {
  cache: number[] = [];
  durable: number[] = [];
  pending: Array<{ position: number; bytes: number[] } | { length: number }> = [];

  static write(target: number[], bytes: readonly number[], position: number): void {
    while (target.length < position) target.push(0);
    bytes.forEach((byte, i) => (target[position + i] = byte));
  }

  static truncate(target: number[], length: number): void {
    target.length = Math.min(target.length, length);
    while (target.length < length) target.push(0);
  }

  apply(target: number[], fate: (piece: CrashPiece) => SectorFate, garbage: (length: number) => Uint8Array): void {
    for (const piece of this.pending) {
      if ('length' in piece) {
        if (fate({ path: '/f', type: 'truncate', position: piece.length, length: 0 }) !== 'drop') ReferenceFile.truncate(target, piece.length);
        continue;
      }
      const end = piece.position + piece.bytes.length;
      for (let from = piece.position; from < end; ) {
        const to = Math.min(end, (Math.floor(from / sectorSize) + 1) * sectorSize);
        const what = fate({ path: '/f', type: 'write', position: from, length: to - from });
        if (what === 'keep') ReferenceFile.write(target, piece.bytes.slice(from - piece.position, to - piece.position), from);
        else if (what === 'garble') ReferenceFile.write(target, Array.from(garbage(to - from)), from);
        from = to;
      }
    }
  }
}

const step = fc.oneof(
  fc.record({ type: fc.constant('write' as const), at: fc.nat(1600), length: fc.nat(1300), fill: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ type: fc.constant('truncate' as const), at: fc.nat(1600) }),
  fc.record({ type: fc.constantFrom('sync' as const, 'failedSync' as const, 'crash' as const) }),
);

describe('FileContent', () => {
  it('#18 a power loss leaves the durable bytes then each unsynced sector kept, dropped or garbled, in the order written, the same as keeping every byte apart would', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(fc.constantFrom<SectorFate>('keep', 'drop', 'garble'), { minLength: 1, maxLength: 40 }), (steps, fates) => {
        const content = new FileContent();
        const reference = new ReferenceFile();
        for (const [index, action] of steps.entries()) {
          if (action.type === 'write') {
            // Each write its own pattern, so a byte shows which write it came from.
            const bytes = new Uint8Array(action.length).map((_, i) => (action.fill + index * 7 + i) % 256);
            const at = Math.min(action.at, content.length + 700);
            content.write(bytes, at);
            ReferenceFile.write(reference.cache, Array.from(bytes), at);
            reference.pending.push({ position: at, bytes: Array.from(bytes) });
          } else if (action.type === 'truncate') {
            content.truncate(action.at);
            ReferenceFile.truncate(reference.cache, action.at);
            reference.pending.push({ length: action.at });
          } else if (action.type === 'sync') {
            content.sync();
            for (const piece of reference.pending) {
              if ('length' in piece) ReferenceFile.truncate(reference.durable, piece.length);
              else ReferenceFile.write(reference.durable, piece.bytes, piece.position);
            }
            reference.pending = [];
          } else if (action.type === 'failedSync') {
            content.dropWriteBack();
            reference.pending = [];
          } else {
            const seen: CrashPiece[][] = [[], []];
            const decide = (who: 0 | 1) => (piece: CrashPiece): SectorFate => fates[seen[who]!.push(piece) % fates.length]!;
            const noise = (length: number): Uint8Array => new Uint8Array(length).fill(0xee);
            content.crash('/f', decide(0), noise);
            const image = [...reference.durable];
            reference.apply(image, decide(1), noise);
            reference.cache = image;
            reference.durable = [...image];
            reference.pending = [];
            expect(seen[0]).toEqual(seen[1]);
          }
          expect(Array.from(content.bytes())).toEqual(reference.cache);
        }
        content.crash('/f', () => 'drop', () => new Uint8Array());
        expect(Array.from(content.bytes())).toEqual(reference.durable);
      }),
      { numRuns: runs },
    );
  });
});
