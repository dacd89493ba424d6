import { describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { createVirtualClock } from '../clock/virtual-clock.js';
import { decoded, diskWithData, put, synced, text } from './lossy-disk.test-helpers.js';

describe('createLossyDisk: process kill', () => {
  it('loses nothing written, keeps the boot identity and frees the dead process\'s locks', async () => {
    const disk = await diskWithData();
    const boot = await disk.fs.bootIdentity();
    await put(disk.fs, '/data/unsynced', 'in the cache', { data: false, entry: false });
    await disk.fs.lock('/data/lock');
    disk.kill();
    expect(decoded(disk.readFile('/data/unsynced'))).toBe('in the cache');
    expect(await disk.fs.bootIdentity()).toBe(boot);
    await (await disk.fs.lock('/data/lock')).release();
    // Still unsynced: the power loss that follows may take it.
    disk.powerLoss({ sector: () => 'drop', entry: () => 'revert' });
    expect(disk.readFile('/data/unsynced')).toBeNull();
  });

  it("a dead process's calls never settle and change nothing; closing and releasing still resolve", async () => {
    const disk = await diskWithData();
    const dead = disk.fs;
    const handle = await dead.open('/data/f', { mode: 'rw', create: true });
    const lock = await dead.lock('/data/lock');
    disk.kill();
    const outcomes: string[] = [];
    void handle.write(text('after death'), 0).then(() => outcomes.push('write'));
    void dead.unlink('/data/f').then(() => outcomes.push('unlink'));
    await handle.close();
    await lock.release();
    const next = await disk.fs.lock('/data/lock');
    await createVirtualClock().settle();
    expect(outcomes).toEqual([]);
    expect(decoded(disk.readFile('/data/f'))).toBe('');
    await next.release();
  });

  it('a spawned process holds its own locks; killing it frees them and leaves the main process alone', async () => {
    const disk = await diskWithData();
    const daemon = disk.spawn();
    const lock = await daemon.fs.lock('/data/session.lock');
    await expectRejection(disk.fs.lock('/data/session.lock'), 'SessionInUse');
    await lock.release();
    await daemon.fs.lock('/data/session.lock');
    daemon.kill();
    expect(daemon.alive).toBe(false);
    await (await disk.fs.lock('/data/session.lock')).release();
  });
});

describe('createLossyDisk: faults on demand', () => {
  it('failNext fails the next such call with the chosen code, once, and only on the path named', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/a', 'a', synced);
    disk.failNext('write', { fault: 'ENOSPC', path: '/data/b' });
    disk.failNext('rename', { fault: 'EACCES' });
    const a = await disk.fs.open('/data/a', { mode: 'rw' });
    await a.write(text('A'), 0);
    const b = await disk.fs.open('/data/b', { mode: 'rw', create: true });
    await expectRejection(b.write(text('b'), 0), 'DiskFull');
    await b.write(text('b'), 0);
    await expectRejection(disk.fs.rename('/data/a', '/data/c'), 'PermissionDenied');
    await disk.fs.rename('/data/a', '/data/c');
    disk.failNext('open');
    await expectRejection(disk.fs.open('/data/c', { mode: 'r' }), 'StoreFailed');
    expect(decoded(disk.readFile('/data/c'))).toBe('A');
  });

  it('past its capacity a write fails with DiskFull and changes nothing; freeing space lets it through', async () => {
    const disk = await diskWithData({ capacity: 10 });
    const handle = await disk.fs.open('/data/f', { mode: 'a', create: true });
    await handle.write(text('12345678'), 'append');
    await expectRejection(handle.write(text('abc'), 'append'), 'DiskFull');
    expect(disk.usedBytes()).toBe(8);
    await handle.truncate(5);
    await handle.write(text('abc'), 'append');
    expect(decoded(disk.readFile('/data/f'))).toBe('12345abc');
    disk.setCapacity(null);
    await handle.write(new Uint8Array(1000), 'append');
    expect(disk.usedBytes()).toBe(1008);
  });

  it('counts calls and lets a listener cut the power at one: that call never happens', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/f', 'kept', synced);
    const writes = disk.calls.write;
    const stop = disk.onCall((info) => {
      if (info.call === 'write' && info.paths[0] === '/data/f') disk.powerLoss();
    });
    const handle = await disk.fs.open('/data/f', { mode: 'rw' });
    void handle.write(text('never'), 0);
    stop();
    expect(disk.calls.write).toBe(writes + 1);
    expect(decoded(disk.readFile('/data/f'))).toBe('kept');
  });

  it('planted bugs: a datasync or a directory sync that lies loses what it claimed to make durable', async () => {
    const data = await diskWithData({ planted: { lyingDatasync: true } });
    await put(data.fs, '/data/f', 'claimed durable', synced);
    data.powerLoss({ sector: () => 'drop' });
    expect(decoded(data.readFile('/data/f'))).toBe('');
    const entries = await diskWithData({ planted: { lyingFsyncDir: true } });
    await put(entries.fs, '/data/f', 'claimed durable', synced);
    entries.powerLoss({ entry: () => 'revert' });
    expect(entries.readFile('/data/f')).toBeNull();
  });

  it('with latency, a call takes virtual time, and a power loss during a datasync leaves the data unsynced', async () => {
    const clock = createVirtualClock();
    const disk = await diskWithData({ clock, latency: (call) => (call === 'datasync' ? 5 : 0) });
    const handle = await disk.fs.open('/data/f', { mode: 'rw', create: true });
    await handle.write(text('slow'), 0);
    let synced = false;
    void handle.datasync().then(() => (synced = true));
    await clock.advance(4);
    expect(synced).toBe(false);
    disk.powerLoss({ sector: () => 'drop', entry: () => 'keep' });
    await clock.advance(10);
    expect(synced).toBe(false);
    expect(decoded(disk.readFile('/data/f'))).toBe('');
  });
});

describe('createLossyDisk: paths', () => {
  it('open never follows a symbolic link at the last component; links on the way are followed', async () => {
    const disk = await diskWithData();
    await disk.fs.mkdir('/data/real');
    await put(disk.fs, '/data/real/f', 'inside', synced);
    disk.symlink('/data/trap', '/data/real/f');
    disk.symlink('/data/dir', 'real');
    expect((await disk.fs.lstat('/data/trap'))?.type).toBe('symlink');
    await expectRejection(disk.fs.open('/data/trap', { mode: 'r' }), 'PermissionDenied');
    await expectRejection(disk.fs.open('/data/trap', { mode: 'rw', create: true, exclusive: true }), 'DestinationExists');
    const handle = await disk.fs.open('/data/dir/f', { mode: 'r' });
    expect(decoded(await handle.read(0, 100))).toBe('inside');
    expect(await disk.fs.readdir('/data/dir')).toEqual(['f']);
    disk.symlink('/data/loop', '/data/loop');
    await expectRejection(disk.fs.open('/data/loop/x', { mode: 'r' }), 'PermissionDenied');
  });

  it('refuses what POSIX refuses, with the port\'s codes', async () => {
    const disk = await diskWithData();
    await put(disk.fs, '/data/f', 'f', synced);
    await expectRejection(disk.fs.open('relative', { mode: 'r' }), 'StoreFailed');
    await expectRejection(disk.fs.open('/missing/f', { mode: 'rw', create: true }), 'StoreFailed');
    await expectRejection(disk.fs.open('/data', { mode: 'r' }), 'StoreFailed');
    await expectRejection(disk.fs.mkdir('/data/f'), 'DestinationExists');
    await expectRejection(disk.fs.unlink('/data'), 'StoreFailed');
    await expectRejection(disk.fs.rename('/data/f', '/data'), 'StoreFailed');
    await expectRejection(disk.fs.rename('/data', '/data/inside'), 'StoreFailed');
    const readOnly = await disk.fs.open('/data/f', { mode: 'r' });
    await expectRejection(readOnly.write(text('x'), 0), 'PermissionDenied');
    await readOnly.close();
    await expectRejection(readOnly.size(), 'StoreFailed');
    expect(await disk.fs.lstat('/data/f/below')).toBeNull();
    await disk.fs.mkdir('/data');
  });
});
