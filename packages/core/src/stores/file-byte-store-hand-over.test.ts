import { createMemoryFileSystem, expectRejection } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '../errors/bg-session-error.js';
import type { Destination } from '../model/task-types.js';
import type { HandOverRequest } from '../ports/byte-store.js';
import type { FileSystem } from '../ports/file-system.js';
import { sanitizeFileName } from '../policy/file-name.js';
import { createFileByteStore } from './file-byte-store.js';
import { faultyFileSystem, ProcessKilled, readFileBytes, writeFileBytes, type FaultyFileSystem } from './file-byte-store-faults.test-helpers.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const directory = '/session/bytes';

/** A disk with the store, an app directory, another device at /mnt, and files that must not change. */
async function world(memory: FileSystem = createMemoryFileSystem()): Promise<FaultyFileSystem> {
  const fs = faultyFileSystem(memory);
  for (const path of ['/session', '/downloads', '/mnt', '/mnt/downloads', '/etc']) await fs.mkdir(path);
  await writeFileBytes(fs, '/etc/passwd', text('root'));
  await writeFileBytes(fs, '/x', text('outside'));
  await writeFileBytes(fs, '/downloads/victim.txt', text('victim'));
  return fs;
}

/** Every file on the disk outside the store, with its content. */
async function snapshot(fs: FileSystem, path = '/'): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await fs.readdir(path)) {
    const child = fs.join(path, name);
    if (child.startsWith(directory)) continue;
    const stat = await fs.lstat(child);
    if (stat?.type === 'directory') for (const [key, value] of await snapshot(fs, child)) files.set(key, value);
    else files.set(child, new TextDecoder().decode((await readFileBytes(fs, child)) ?? new Uint8Array()));
  }
  return files;
}

const hostileNames = [
  '../../x',
  '/etc/passwd',
  'C:\\x',
  '..\\..\\x',
  '.',
  '..',
  '',
  'CON',
  'a\0b.txt',
  'invoice\u202Efdp.exe',
  'é'.repeat(150),
  '..%2F..%2Fx',
  // What `filename*=UTF-8''..%2F..%2Fx` decodes to.
  '../../x',
  'a/../../b',
  '/',
];

describe('file byte store hand-over', () => {
  it.each(['fail', 'rename'] as const)(
    "#20 hostile suggested names land inside the directory and overwrite nothing (ifExists '%s')",
    async (ifExists) => {
      const fs = await world();
      const store = createFileByteStore({ fs, directory });
      const before = await snapshot(fs);
      const landed = new Map<string, string>();
      for (const [i, suggestedName] of hostileNames.entries()) {
        await store.append(`k${i}`, text(`content ${i}`));
        await store.sync(`k${i}`);
        const request: HandOverRequest = { destination: { type: 'directory', directory: '/downloads', ifExists }, suggestedName };
        const outcome = await store.handOver(`k${i}`, request).catch((error: unknown) => error);
        if (isBgSessionError(outcome)) {
          // Only 'fail' may refuse, and only because an earlier name sanitised to the same file.
          expect(ifExists).toBe('fail');
          expect(outcome.code).toBe('DestinationExists');
          expect(landed.has(outcome.path ?? '')).toBe(true);
          expect(await store.length(`k${i}`)).toBe(`content ${i}`.length);
          continue;
        }
        const { location } = outcome as { location: string };
        const name = location.slice('/downloads/'.length);
        expect(location.startsWith('/downloads/')).toBe(true);
        expect(name).not.toMatch(/[/\\\0\u202e]/);
        expect(['', '.', '..'].includes(name)).toBe(false);
        expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(255);
        if (ifExists === 'fail') expect(name).toBe(sanitizeFileName(suggestedName));
        landed.set(location, `content ${i}`);
      }
      const after = await snapshot(fs);
      for (const [path, content] of before) expect(after.get(path), path).toBe(content);
      for (const [path, content] of after) if (!before.has(path)) expect(landed.get(path), path).toBe(content);
      if (ifExists === 'rename') expect(landed.size).toBe(hostileNames.length);
    },
  );

  it('a name already at 255 bytes still gets numbered alternatives within 255 bytes', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    const name = `${'é'.repeat(125)}.pdf`;
    const locations: string[] = [];
    for (const key of ['a', 'b', 'c']) {
      await store.append(key, text(key));
      const result = await store.handOver(key, { destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' }, suggestedName: name });
      locations.push(result.location);
    }
    expect(new Set(locations).size).toBe(3);
    for (const location of locations) {
      const leaf = location.slice('/downloads/'.length);
      expect(new TextEncoder().encode(leaf).length).toBeLessThanOrEqual(255);
      expect(leaf.endsWith('.pdf')).toBe(true);
    }
    expect(locations[1]).toMatch(/ \(1\)\.pdf$/);
  });

  it.each([
    ['fail', 'DestinationExists'],
    ['rename', '/downloads/evil (1).txt'],
    ['replace', '/downloads/evil.txt'],
  ] as const)("#20 a link planted at the destination is not followed (ifExists '%s')", async (ifExists, expected) => {
    // The memory file system has no links; the wrapper plants one that lstat reports and nothing follows.
    const fs = await world();
    fs.plantSymlink('/downloads/evil.txt');
    const store = createFileByteStore({ fs, directory });
    await store.append('k', text('payload'));
    const request: HandOverRequest = { destination: { type: 'path', path: '/downloads/evil.txt', ifExists }, suggestedName: null };
    if (expected === 'DestinationExists') {
      await expectRejection(store.handOver('k', request), 'DestinationExists');
      expect((await fs.lstat('/downloads/evil.txt'))?.type).toBe('symlink');
    } else {
      expect((await store.handOver('k', request)).location).toBe(expected);
      expect(await readFileBytes(fs, expected)).toEqual(text('payload'));
    }
    expect(await readFileBytes(fs, '/etc/passwd')).toEqual(text('root'));
    if (ifExists === 'rename') expect((await fs.lstat('/downloads/evil.txt'))?.type).toBe('symlink');
  });

  it('handing a key over twice answers the same location, also from a reopened store', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await writeFileBytes(fs, '/downloads/report.pdf', text('old'));
    await store.append('k', text('new'));
    const request: HandOverRequest = { destination: { type: 'directory', directory: '/downloads', ifExists: 'rename' }, suggestedName: 'report.pdf' };
    const first = await store.handOver('k', request);
    expect(first).toEqual({ location: '/downloads/report (1).pdf', inStore: false });
    expect(await store.handOver('k', request)).toEqual(first);
    // A file the app put in the way since changes nothing: the bytes went where they went.
    await writeFileBytes(fs, '/downloads/report (2).pdf', text('later'));
    expect(await createFileByteStore({ fs, directory }).handOver('k', request)).toEqual(first);
    expect(await readFileBytes(fs, first.location)).toEqual(text('new'));
  });

  it('a destination directory that does not exist is PermissionDenied, and the bytes stay', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await store.append('k', text('abc'));
    await expectRejection(store.handOver('k', { destination: { type: 'directory', directory: '/nowhere', ifExists: 'fail' }, suggestedName: 'a' }), 'PermissionDenied');
    expect(await store.length('k')).toBe(3);
  });

  it.each(['replace', 'fail'] as const)("'%s' does not replace a directory, and says a directory is in the way", async (ifExists) => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await store.append('k', text('abc'));
    const error = await expectRejection(store.handOver('k', { destination: { type: 'path', path: '/downloads', ifExists }, suggestedName: null }), 'DestinationExists');
    expect(error.message).toContain('A directory is at /downloads');
    expect(await fs.lstat('/downloads/victim.txt')).not.toBeNull();
    expect(await store.length('k')).toBe(3);
  });

  it.each(['fail', 'rename', 'replace'] as const)("on a file system without hard links, ifExists '%s' still holds", async (ifExists) => {
    const fs = await world();
    fs.noHardLinks = true;
    const store = createFileByteStore({ fs, directory });
    await store.append('k', text('new'));
    const request: HandOverRequest = { destination: { type: 'path', path: '/downloads/victim.txt', ifExists }, suggestedName: null };
    if (ifExists === 'fail') {
      await expectRejection(store.handOver('k', request), 'DestinationExists');
      expect(await readFileBytes(fs, '/downloads/victim.txt')).toEqual(text('victim'));
      return;
    }
    const { location } = await store.handOver('k', request);
    expect(location).toBe(ifExists === 'rename' ? '/downloads/victim (1).txt' : '/downloads/victim.txt');
    expect(await readFileBytes(fs, location)).toEqual(text('new'));
    if (ifExists === 'rename') expect(await readFileBytes(fs, '/downloads/victim.txt')).toEqual(text('victim'));
  });

  it('once a part went by a link, the next parts are linked before they are looked at; a file in the way and another device are still handled', async () => {
    const fs = await world();
    fs.otherDevices = ['/mnt'];
    const looked: string[] = [];
    const watched = new Proxy(fs, {
      get(target, property) {
        if (property === 'lstat') return (path: string) => (looked.push(path), target.lstat(path));
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const store = createFileByteStore({ fs: watched, directory });
    const handOver = async (key: string, path: string, ifExists: 'fail' | 'replace') => {
      await store.append(key, text(`bytes of ${key}`));
      await store.sync(key);
      return store.handOver(key, { destination: { type: 'path', path, ifExists }, suggestedName: null });
    };
    expect((await handOver('k1', '/downloads/a.bin', 'fail')).location).toBe('/downloads/a.bin');
    looked.length = 0;
    expect((await handOver('k2', '/downloads/b.bin', 'fail')).location).toBe('/downloads/b.bin');
    expect(looked).toEqual([]);
    expect(await readFileBytes(fs, '/downloads/b.bin')).toEqual(text('bytes of k2'));
    expect(await store.length('k2')).toBeNull();

    await expectRejection(handOver('k3', '/downloads/victim.txt', 'fail'), 'DestinationExists');
    expect(await readFileBytes(fs, '/downloads/victim.txt')).toEqual(text('victim'));
    expect(await store.length('k3')).toBe('bytes of k3'.length);
    await handOver('k4', '/downloads/victim.txt', 'replace');
    expect(await readFileBytes(fs, '/downloads/victim.txt')).toEqual(text('bytes of k4'));
    expect((await handOver('k5', '/mnt/downloads/c.bin', 'fail')).location).toBe('/mnt/downloads/c.bin');
    expect(await readFileBytes(fs, '/mnt/downloads/c.bin')).toEqual(text('bytes of k5'));
    expect([...(await fs.readdir('/downloads'))].sort()).toEqual(['a.bin', 'b.bin', 'victim.txt']);
  });

  it('across devices the bytes are copied, synced and moved into place; nothing is left beside them', async () => {
    const fs = await world();
    fs.otherDevices = ['/mnt'];
    const store = createFileByteStore({ fs, directory });
    const content = Uint8Array.from({ length: 3_000_000 }, (_, i) => i % 253);
    await store.append('k', content);
    await store.sync('k');
    const result = await store.handOver('k', { destination: { type: 'directory', directory: '/mnt/downloads', ifExists: 'fail' }, suggestedName: 'big.bin' });
    expect(result.location).toBe('/mnt/downloads/big.bin');
    expect((await readFileBytes(fs, result.location))?.every((byte, i) => byte === i % 253)).toBe(true);
    expect(await fs.readdir('/mnt/downloads')).toEqual(['big.bin']);
    expect(await store.length('k')).toBeNull();
  });

  it('DiskFull while copying across devices reaches the caller; the bytes stay and no copy is left', async () => {
    const fs = await world();
    fs.otherDevices = ['/mnt'];
    const store = createFileByteStore({ fs, directory });
    await store.append('k', text('payload'));
    await store.sync('k');
    fs.diskFull = true;
    const request: HandOverRequest = { destination: { type: 'path', path: '/mnt/downloads/a.bin', ifExists: 'fail' }, suggestedName: null };
    await expectRejection(store.handOver('k', request), 'DiskFull');
    expect(await fs.readdir('/mnt/downloads')).toEqual([]);
    expect(await store.length('k')).toBe(7);
    fs.diskFull = false;
    expect((await store.handOver('k', request)).location).toBe('/mnt/downloads/a.bin');
  });

  describe('a host killed at any step of a hand-over finishes it on relaunch, at the one place, overwriting nothing', () => {
    const scenarios: ReadonlyArray<{ readonly name: string; readonly destination: Destination | null; readonly expected: string; readonly crossDevice: boolean }> = [];
    const mutable = scenarios as Array<(typeof scenarios)[number]>;
    for (const crossDevice of [false, true]) {
      const base = crossDevice ? '/mnt/downloads' : '/downloads';
      mutable.push(
        { name: 'fail', destination: { type: 'path', path: `${base}/new.bin`, ifExists: 'fail' }, expected: `${base}/new.bin`, crossDevice },
        { name: 'replace', destination: { type: 'path', path: `${base}/taken.bin`, ifExists: 'replace' }, expected: `${base}/taken.bin`, crossDevice },
        { name: 'rename', destination: { type: 'directory', directory: base, ifExists: 'rename' }, expected: `${base}/taken (1).bin`, crossDevice },
      );
    }
    mutable.push({ name: 'in the store', destination: null, expected: `${directory}/finished/part-7`, crossDevice: false });

    it.each(scenarios.map((scenario) => [`${scenario.name}${scenario.crossDevice ? ' across devices' : ''}`, scenario] as const))('%s', async (_, scenario) => {
      const request: HandOverRequest = { destination: scenario.destination, suggestedName: 'taken.bin' };
      const content = text('the downloaded content');
      const setUp = async (): Promise<{ fs: FaultyFileSystem; memory: FileSystem; before: Map<string, string> }> => {
        const memory = createMemoryFileSystem();
        const fs = await world(memory);
        for (const base of ['/downloads', '/mnt/downloads']) await writeFileBytes(fs, `${base}/taken.bin`, text('old'));
        if (scenario.crossDevice) fs.otherDevices = ['/mnt'];
        const store = createFileByteStore({ fs, directory });
        await store.append('part-7', content);
        await store.sync('part-7');
        return { fs, memory, before: await snapshot(fs) };
      };
      const clean = await setUp();
      const start = clean.fs.calls;
      await createFileByteStore({ fs: clean.fs, directory }).handOver('part-7', request);
      const steps = clean.fs.calls - start;
      expect(steps).toBeGreaterThan(5);

      for (let step = 1; step <= steps; step += 1) {
        const { fs, memory, before } = await setUp();
        fs.crashAt = fs.calls + step;
        const dying = await createFileByteStore({ fs, directory }).handOver('part-7', request).catch((error: unknown) => error);
        expect(dying, `step ${step}`).toBeInstanceOf(ProcessKilled);
        // The relaunched host: the same disk, the same devices, no crash.
        const relaunched = faultyFileSystem(memory);
        relaunched.otherDevices = fs.otherDevices;
        const store = createFileByteStore({ fs: relaunched, directory });
        const result = await store.handOver('part-7', request);
        expect(result, `step ${step}`).toEqual({ location: scenario.expected, inStore: scenario.destination === null });
        expect(await readFileBytes(relaunched, scenario.expected), `step ${step}`).toEqual(content);
        expect(await store.length('part-7')).toBeNull();
        expect(await store.handOver('part-7', request)).toEqual(result);
        const after = await snapshot(relaunched);
        for (const [path, old] of before) if (path !== scenario.expected) expect(after.get(path), `step ${step}: ${path}`).toBe(old);
        for (const path of after.keys()) expect(before.has(path) || path === scenario.expected, `step ${step}: ${path} left behind`).toBe(true);
      }
    });
  });
});
