import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PieceBytes } from './piece-bytes.js';
import { shareBytes } from './shared-bytes.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 200);
const MiB = 1024 * 1024;

const shared = new Uint8Array(4096).map((_, i) => (i * 7 + 3) & 0xff);
shareBytes(shared);

type Operation =
  | { readonly type: 'write'; readonly position: number; readonly bytes: Uint8Array }
  | { readonly type: 'writeShared'; readonly position: number; readonly from: number; readonly length: number }
  | { readonly type: 'truncate'; readonly length: number }
  | { readonly type: 'cut'; readonly length: number }
  | { readonly type: 'clone' };

/** Anywhere, near or at the start, or -1: the end of the file (an append). */
const position = fc.oneof(fc.nat(3000), fc.nat(8), fc.constant(0), fc.constant(-1), fc.constant(-1));

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ type: fc.constant('write' as const), position, bytes: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 700 })) }),
  fc.record({ type: fc.constant('writeShared' as const), position, from: fc.nat(2000), length: fc.oneof(fc.nat(8), fc.nat(2000)) }),
  fc.record({ type: fc.constant('truncate' as const), length: fc.nat(4000) }),
  fc.record({ type: fc.constant('cut' as const), length: fc.nat(4000) }),
  fc.record({ type: fc.constant('clone' as const) }),
);

/** The same file as a plain array, the slow way. */
function applyToModel(model: number[], op: Operation): number[] {
  const write = (bytes: ArrayLike<number>, position: number): void => {
    while (model.length < position) model.push(0);
    for (let i = 0; i < bytes.length; i += 1) model[position + i] = bytes[i] as number;
  };
  if (op.type === 'write') write(op.bytes, op.position);
  else if (op.type === 'writeShared') write(shared.subarray(op.from, op.from + op.length), op.position);
  else if (op.type === 'cut' && op.length >= model.length) return [];
  else if (op.type === 'truncate' || op.type === 'cut') {
    const cut = model.slice(op.length);
    model.length = Math.min(model.length, op.length);
    while (model.length < op.length) model.push(0);
    return cut;
  }
  return [];
}

describe('PieceBytes', () => {
  it('holds what a plain array holds after any writes, shared writes, truncations, cuts and clones, and its clones never change with it', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const model: number[] = [];
        let bytes = new PieceBytes();
        const clones: Array<{ readonly bytes: PieceBytes; readonly expected: number[] }> = [];
        for (const generated of operations) {
          const op = 'position' in generated && generated.position === -1 ? { ...generated, position: model.length } : generated;
          const expectedCut = applyToModel(model, op);
          if (op.type === 'write') bytes.write(op.bytes, op.position);
          else if (op.type === 'writeShared') bytes.write(shared.subarray(op.from, op.from + op.length), op.position);
          else if (op.type === 'truncate') bytes.truncate(op.length);
          else if (op.type === 'cut') {
            const pieces = bytes.cut(op.length);
            expect(Array.from(pieces.flatMap((piece) => Array.from(piece)))).toEqual(expectedCut);
          } else {
            clones.push({ bytes, expected: model.slice() });
            bytes = bytes.clone();
          }
          expect(bytes.length).toBe(model.length);
        }
        expect(Array.from(bytes.bytes())).toEqual(model);
        for (const clone of clones) expect(Array.from(clone.bytes.bytes())).toEqual(clone.expected);
        const copy = new PieceBytes(Uint8Array.from(model));
        expect(copy.equals(bytes)).toBe(true);
        if (model.length > 0) {
          copy.write(Uint8Array.of(((model[0] as number) + 1) & 0xff), 0);
          expect(copy.equals(bytes)).toBe(false);
        }
      }),
      // The example: an append after a write that replaced the whole appended-to piece must not land in the old piece's buffer.
      { numRuns: runs, examples: [[[{ type: 'write', position: -1, bytes: Uint8Array.of(1, 2, 3) }, { type: 'write', position: 0, bytes: Uint8Array.of(7, 8, 9) }, { type: 'write', position: -1, bytes: Uint8Array.of(5) }]]] },
    );
  });

  it('keeps a write of shared bytes by reference: 64 MiB of a shared pattern written in 64 KiB chunks costs no copy', () => {
    const pattern = new Uint8Array(MiB);
    pattern.fill(9);
    shareBytes(pattern);
    const file = new PieceBytes();
    const chunk = 64 * 1024;
    for (let at = 0; at < 64 * MiB; at += chunk) file.write(pattern.subarray(at % MiB, (at % MiB) + chunk), at);
    expect(file.length).toBe(64 * MiB);
    expect(file.pieceCount).toBe(1024);
    expect(file.read(64 * MiB - 3, 10)).toEqual(Uint8Array.of(9, 9, 9));
    // A piece is a view of the pattern itself: the file holds no bytes of its own.
    const clone = file.clone();
    expect(clone.equals(file)).toBe(true);
  });

  it('coalesces many small appends into a few pieces, as a journal makes them', () => {
    const file = new PieceBytes();
    for (let i = 0; i < 10_000; i += 1) file.write(Uint8Array.of(i & 0xff, 1, 2, 3), file.length);
    // A header rewritten at the start does not seal the tail the appends go to.
    file.write(Uint8Array.of(42), 0);
    for (let i = 0; i < 1_000; i += 1) file.write(Uint8Array.of(7), file.length);
    expect(file.length).toBe(41_000);
    expect(file.pieceCount).toBeLessThan(12);
    expect(file.read(0, 2)).toEqual(Uint8Array.of(42, 1));
    expect(file.read(40_999, 1)).toEqual(Uint8Array.of(7));
  });
});
