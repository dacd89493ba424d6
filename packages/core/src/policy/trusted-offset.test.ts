import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../model/task-types.js';
import { trustedOffset } from './trusted-offset.js';

const checkpoint: Checkpoint = {
  offset: 4096,
  validator: { type: 'etag', value: '"v1"', weak: false },
  expectedLength: 10_000,
  bootIdentity: 'boot-a',
};

const rows: ReadonlyArray<{
  name: string;
  checkpoint: Checkpoint | null;
  bootNow: string;
  fileLength: number | null;
  survive: boolean;
  expected: number;
}> = [
  { name: 'same boot, unsynced bytes survive: the whole file (#7: nothing a killed process wrote is fetched again)', checkpoint, bootNow: 'boot-a', fileLength: 7000, survive: true, expected: 7000 },
  { name: 'same boot, file exactly at the checkpoint', checkpoint, bootNow: 'boot-a', fileLength: 4096, survive: true, expected: 4096 },
  { name: 'same boot, file shorter than the checkpoint (cut by someone): what the file holds', checkpoint, bootNow: 'boot-a', fileLength: 1000, survive: true, expected: 1000 },
  { name: 'same boot, file longer than the expected length: no more than the content can be', checkpoint, bootNow: 'boot-a', fileLength: 12_000, survive: true, expected: 10_000 },
  { name: 'same boot, length unknown: the whole file', checkpoint: { ...checkpoint, expectedLength: null }, bootNow: 'boot-a', fileLength: 12_000, survive: true, expected: 12_000 },
  { name: 'another boot (power loss may have garbled unsynced bytes): the checkpoint', checkpoint, bootNow: 'boot-b', fileLength: 7000, survive: true, expected: 4096 },
  { name: 'another boot, file shorter than the checkpoint (lost synced bytes): what the file holds', checkpoint, bootNow: 'boot-b', fileLength: 3000, survive: true, expected: 3000 },
  { name: 'same boot, but unsynced bytes die with their writer (OPFS writables): the checkpoint', checkpoint, bootNow: 'boot-a', fileLength: 7000, survive: false, expected: 4096 },
  { name: 'unsynced bytes die with their writer, file shorter than the checkpoint: what the file holds', checkpoint, bootNow: 'boot-a', fileLength: 2000, survive: false, expected: 2000 },
  { name: 'no checkpoint on the same boot: 0 (no validator to resume under)', checkpoint: null, bootNow: 'boot-a', fileLength: 7000, survive: true, expected: 0 },
  { name: 'no checkpoint on another boot: 0', checkpoint: null, bootNow: 'boot-b', fileLength: 7000, survive: true, expected: 0 },
  { name: 'no partial file: 0', checkpoint, bootNow: 'boot-a', fileLength: null, survive: true, expected: 0 },
  { name: 'an empty partial file: 0', checkpoint, bootNow: 'boot-b', fileLength: 0, survive: true, expected: 0 },
  { name: 'a restart checkpoint (0, new validator) on the same boot: the new bytes written since', checkpoint: { ...checkpoint, offset: 0 }, bootNow: 'boot-a', fileLength: 500, survive: true, expected: 500 },
  { name: 'a restart checkpoint (0, new validator) on another boot: 0', checkpoint: { ...checkpoint, offset: 0 }, bootNow: 'boot-b', fileLength: 500, survive: true, expected: 0 },
  { name: 'offsets past 2^32 are kept exactly', checkpoint: { ...checkpoint, offset: 2 ** 40, expectedLength: 2 ** 41 }, bootNow: 'boot-b', fileLength: 2 ** 40 + 5, survive: true, expected: 2 ** 40 },
];

describe('trustedOffset', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(trustedOffset(row.checkpoint, row.bootNow, row.fileLength, row.survive)).toBe(row.expected);
    });
  }
});
