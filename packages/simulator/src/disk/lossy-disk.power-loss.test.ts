import { describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { createVirtualClock } from '../clock/virtual-clock.js';
import { createSimulatorRandom } from '../random/simulator-random.js';
import { createLossyDisk } from './lossy-disk.js';
import { decoded, diskWithData, put, synced, text } from './lossy-disk.test-helpers.js';

describe('createLossyDisk: power loss', () => {
  it('what was synced survives a power loss that garbles and reverts everything unsynced', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/a', 'durable', synced);
    disk.powerLoss({ sector: () => 'garble', entry: () => 'revert' });
    expect(decoded(disk.readFile('/data/a'))).toBe('durable');
  });

  it("syncing one directory makes only its entries durable, however many times and however many another holds unsynced", async () => {
    const disk = await diskWithData();
    await disk.fs.mkdir('/data/never');
    await disk.fs.mkdir('/data/often');
    await disk.fs.fsyncDir('/data');
    // Enough syncs of the other directory that the operations it emptied are removed in batches.
    for (let i = 0; i < 200; i += 1) {
      await put(disk.fs, `/data/never/n${i}`, 'n', { data: true, entry: false });
      await put(disk.fs, `/data/often/o${i}`, 'o', synced);
    }
    await disk.fs.rename('/data/never/n0', '/data/often/moved');
    await disk.fs.fsyncDir('/data/often');
    const report = disk.powerLoss({ entry: () => 'revert' });
    // Every creation in the never-synced directory, and the rename (its removal there) were pending.
    expect(report.entriesReverted).toBe(201);
    expect(await disk.fs.readdir('/data/never')).toEqual([]);
    const often = await disk.fs.readdir('/data/often');
    expect(often).toHaveLength(201);
    expect(often).toContain('moved');
  });

  it('an unsynced write is kept, dropped or garbled, sector by sector of 512 bytes', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/f', '', synced);
    const handle = await disk.fs.open('/data/f', { mode: 'rw' });
    const bytes = new Uint8Array(1300).map((_, i) => (i % 250) + 1);
    await handle.write(bytes, 0);
    const fates = ['drop', 'keep', 'garble'] as const;
    const seen: Array<[number, number]> = [];
    const report = disk.powerLoss({
      sector: (piece) => {
        seen.push([piece.position, piece.length]);
        return fates[seen.length - 1] ?? 'keep';
      },
    });
    expect(seen).toEqual([
      [0, 512],
      [512, 512],
      [1024, 276],
    ]);
    expect([report.kept, report.dropped, report.garbled]).toEqual([1, 1, 1]);
    const image = disk.readFile('/data/f') as Uint8Array;
    expect(image.length).toBe(1300);
    // A dropped sector before a kept one reads as zeros, as a hole in the file.
    expect(image.subarray(0, 512).every((byte) => byte === 0)).toBe(true);
    expect(image.subarray(512, 1024)).toEqual(bytes.subarray(512, 1024));
    expect(image.subarray(1024)).not.toEqual(bytes.subarray(1024));
  });

  it('an unsynced create vanishes when reverted, and stays once its directory was synced', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/synced-name', 'y', synced);
    // The directory's sync makes every name in it durable: this one comes after it.
    await put(disk.fs, '/data/unsynced-name', 'x', { data: true, entry: false });
    expect(decoded(disk.readFile('/data/unsynced-name'))).toBe('x');
    disk.powerLoss({ entry: () => 'revert' });
    expect(disk.readFile('/data/unsynced-name')).toBeNull();
    expect(await disk.fs.readdir('/data')).toEqual(['synced-name']);
  });

  it('an unsynced rename either happened or not, whole; an unsynced unlink may come back', async () => {
    for (const fate of ['keep', 'revert'] as const) {
      const disk = await diskWithData();
      await put(disk.fs, '/data/old', 'old', synced);
      await put(disk.fs, '/data/gone', 'gone', synced);
      await put(disk.fs, '/data/new.tmp', 'new', { data: true, entry: false });
      await disk.fs.rename('/data/new.tmp', '/data/old');
      await disk.fs.unlink('/data/gone');
      const report = disk.powerLoss({ entry: (operation) => (operation.call === 'rename' ? fate : 'revert') });
      expect(report.entriesKept + report.entriesReverted).toBe(3);
      expect(decoded(disk.readFile('/data/old'))).toBe(fate === 'keep' ? 'new' : 'old');
      expect(disk.readFile('/data/new.tmp')).toBeNull();
      expect(decoded(disk.readFile('/data/gone'))).toBe('gone');
    }
  });

  it('a rename made durable by its directory sync survives', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/a.tmp', 'content', synced);
    await disk.fs.rename('/data/a.tmp', '/data/a');
    await disk.fs.fsyncDir('/data');
    disk.powerLoss({ entry: () => 'revert', sector: () => 'garble' });
    expect(await disk.fs.readdir('/data')).toEqual(['a']);
    expect(decoded(disk.readFile('/data/a'))).toBe('content');
  });

  it('changes the boot identity, releases every lock and stops every process', async () => {
    const disk = await diskWithData();
    const boot = await disk.fs.bootIdentity();
    const before = disk.fs;
    await before.lock('/data/lock');
    disk.powerLoss();
    expect(disk.powerLosses).toBe(1);
    expect(disk.fs).not.toBe(before);
    expect(await disk.fs.bootIdentity()).not.toBe(boot);
    const lock = await disk.fs.lock('/data/lock');
    await lock.release();
    let settled = false;
    void before.lstat('/data').finally(() => (settled = true));
    await createVirtualClock().settle();
    expect(settled).toBe(false);
  });

  it('a failed datasync drops the unsynced writes from the write-back: they read back, but no later sync saves them', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/f', 'base', synced);
    const handle = await disk.fs.open('/data/f', { mode: 'a' });
    await handle.write(text('+lost'), 'append');
    disk.failNext('datasync');
    await expectRejection(handle.datasync(), 'StoreFailed');
    expect(decoded(disk.readFile('/data/f'))).toBe('base+lost');
    await handle.write(text('+later'), 'append');
    await handle.datasync();
    disk.powerLoss({ sector: () => 'drop' });
    expect(decoded(disk.readFile('/data/f'))).toBe('base\0\0\0\0\0+later');
  });

  it('the same seed gives the same disk after a power loss, byte for byte', async () => {
    async function run(seed: number): Promise<string> {
      const disk = createLossyDisk({ random: createSimulatorRandom(seed) });
      await disk.fs.mkdir('/d');
      for (let i = 0; i < 6; i += 1) {
        const handle = await disk.fs.open(`/d/f${i}`, { mode: 'rw', create: true });
        await handle.write(new Uint8Array(2000).fill(i + 1), 0);
        if (i % 2 === 0) await handle.datasync();
      }
      disk.powerLoss();
      const names = await disk.fs.readdir('/d').catch(() => []);
      return JSON.stringify([await disk.fs.bootIdentity(), names, names.map((name) => Array.from(disk.readFile(`/d/${name}`) ?? []))]);
    }
    expect(await run(5)).toBe(await run(5));
    expect(await run(5)).not.toBe(await run(6));
  });
});
