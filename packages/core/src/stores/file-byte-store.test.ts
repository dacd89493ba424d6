import { createMemoryFileSystem, expectRejection } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import type { ByteStore } from '../ports/byte-store.js';
import type { FileSystem } from '../ports/file-system.js';
import { createFileByteStore } from './file-byte-store.js';
import { faultyFileSystem, readFileBytes, writeFileBytes } from './file-byte-store-faults.test-helpers.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const directory = '/session/bytes';

async function world(): Promise<ReturnType<typeof faultyFileSystem>> {
  const fs = faultyFileSystem(createMemoryFileSystem());
  await fs.mkdir('/session');
  await fs.mkdir('/downloads');
  return fs;
}

async function readAll(store: ByteStore, key: string, offset?: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(key, offset)) chunks.push(chunk);
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
}

async function filled(store: ByteStore, key: string, value: string): Promise<void> {
  await store.append(key, text(value));
  await store.sync(key);
}

describe('createFileByteStore', () => {
  it('keeps partial bytes as files under parts/ in its directory, which it creates', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'part-1', 'abc');
    expect(await fs.readdir(directory)).toEqual(['finished', 'handovers', 'parts']);
    expect(await readFileBytes(fs, '/session/bytes/parts/part-1')).toEqual(text('abc'));
    expect(store.capabilities.unsyncedSurviveWriter).toBe(true);
  });

  it('a reopened store sees the same keys and bytes, unsynced ones included (the OS cache keeps them)', async () => {
    const fs = await world();
    const first = createFileByteStore({ fs, directory });
    await filled(first, 'part-1', 'one');
    await filled(first, 'body-2', 'two');
    await first.append('part-1', text('+more'));
    const next = createFileByteStore({ fs, directory });
    expect(await next.keys()).toEqual(['body-2', 'part-1']);
    expect(await readAll(next, 'part-1')).toBe('one+more');
    await next.append('part-1', text('!'));
    expect(await readAll(next, 'part-1', 3)).toBe('+more!');
  });

  it('a key at rest holds no file open: sync closes what appends opened, and close() closes the rest', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory, readChunkSize: 2 });
    await store.append('a', text('12345'));
    await store.append('b', text('x'));
    expect(fs.openHandles).toBe(2);
    await store.sync('a');
    expect(fs.openHandles).toBe(1);
    expect(await readAll(store, 'a')).toBe('12345');
    expect(fs.openHandles).toBe(1);
    await store.close();
    expect(fs.openHandles).toBe(0);
    await filled(store, 'b', 'y');
    expect(await readAll(store, 'b')).toBe('xy');
    await store.handOver('b', { destination: null, suggestedName: null });
    expect(fs.openHandles).toBe(0);
  });

  it('DiskFull from the file system reaches the caller with its code; the kept bytes stay and appends continue when space returns', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'part-1', 'kept');
    fs.diskFull = true;
    const error = await expectRejection(store.append('part-1', text('lost')), 'DiskFull');
    expect(error.retryable).toBe(false);
    expect(await store.length('part-1')).toBe(4);
    fs.diskFull = false;
    await filled(store, 'part-1', '+next');
    expect(await readAll(store, 'part-1')).toBe('kept+next');
  });

  it('appends to one key run in call order even when not awaited one by one', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.append('k', text(String.fromCharCode(97 + i)))));
    await store.sync('k');
    expect(await readAll(store, 'k')).toBe('abcdefghijklmnopqrst');
  });

  it.each(['', '.', '..', '../x', 'a/b', '/etc/passwd', 'a\\b', 'a\0b', 'CON', 'nul.txt', 'Part-1', 'a:b', 'a.', 'x'.repeat(201)])(
    'refuses the key %j with InvalidArgument on every call, and writes nothing',
    async (key) => {
      const fs = await world();
      const store = createFileByteStore({ fs, directory });
      const before = await fs.readdir('/');
      await expectRejection(store.append(key, text('x')), 'InvalidArgument');
      await expectRejection(store.length(key), 'InvalidArgument');
      await expectRejection(store.sync(key), 'InvalidArgument');
      await expectRejection(store.truncate(key, 0), 'InvalidArgument');
      await expectRejection(store.delete(key), 'InvalidArgument');
      await expectRejection(store.handOver(key, { destination: null, suggestedName: null }), 'InvalidArgument');
      await expectRejection(readAll(store, key), 'InvalidArgument');
      expect(await fs.readdir('/')).toEqual(before);
      expect(await fs.lstat('/session/bytes')).toBeNull();
    },
  );

  it('truncate refuses to grow a key or a negative length', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'k', 'abc');
    await expectRejection(store.truncate('k', 4), 'InvalidArgument');
    await expectRejection(store.truncate('k', -1), 'InvalidArgument');
    await expectRejection(store.truncate('k', 1.5), 'InvalidArgument');
    await expectRejection(store.truncate('missing', 1), 'InvalidArgument');
    await store.truncate('missing', 0);
    expect(await store.length('missing')).toBeNull();
    expect(await readAll(store, 'k')).toBe('abc');
  });

  it('reading an unknown key or from a bad offset rejects', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'k', 'abc');
    await expectRejection(readAll(store, 'missing'), 'StoreFailed');
    await expectRejection(readAll(store, 'k', -1), 'InvalidArgument');
    expect(await readAll(store, 'k', 3)).toBe('');
  });

  it('checkDestination: a directory that does not exist (or a file in its place) is InvalidArgument naming destination; one that exists passes', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await writeFileBytes(fs, '/downloads/file.txt', text('x'));
    for (const destination of [
      { type: 'path', path: '/missing/a.bin', ifExists: 'fail' },
      { type: 'directory', directory: '/missing', ifExists: 'rename' },
      { type: 'path', path: '/downloads/file.txt/a.bin', ifExists: 'replace' },
    ] as const) {
      const error = await expectRejection(store.checkDestination?.(destination) ?? Promise.resolve(), 'InvalidArgument');
      expect(error.field).toBe('destination');
    }
    await store.checkDestination?.({ type: 'path', path: '/downloads/a.bin', ifExists: 'fail' });
    await store.checkDestination?.({ type: 'directory', directory: '/downloads', ifExists: 'rename' });
    // A file already at the path is not its concern: `ifExists` is checked with locationSize.
    await store.checkDestination?.({ type: 'path', path: '/downloads/file.txt', ifExists: 'fail' });
  });

  it('checkDestination: a thousand downloads created at once into one directory cost it one lstat; a missing one is looked at again once made', async () => {
    const fs = await world();
    const looks = new Map<string, number>();
    const counting: FileSystem = {
      ...fs,
      lstat: (path) => {
        looks.set(path, (looks.get(path) ?? 0) + 1);
        return fs.lstat(path);
      },
    };
    const store = createFileByteStore({ fs: counting, directory });
    const check = store.checkDestination?.bind(store);
    if (check === undefined) throw new Error('the file ByteStore checks destinations');
    await Promise.all(Array.from({ length: 1000 }, (_, i) => check({ type: 'path', path: `/downloads/f${i}.bin`, ifExists: 'fail' })));
    expect(looks.get('/downloads')).toBe(1);
    // Refused together, and not remembered: the app may make the directory and try again.
    const refused = await Promise.allSettled(Array.from({ length: 10 }, () => check({ type: 'directory', directory: '/later', ifExists: 'rename' })));
    expect(refused.map((result) => result.status)).toEqual(Array.from({ length: 10 }, () => 'rejected'));
    expect(looks.get('/later')).toBe(1);
    await fs.mkdir('/later');
    await check({ type: 'directory', directory: '/later', ifExists: 'rename' });
    expect(looks.get('/later')).toBe(2);
  });

  it('a part is closed only once the data sync running on it has finished: delete, truncate and handOver during a sync wait for it', async () => {
    for (const during of ['delete', 'truncate', 'handOver'] as const) {
      const fs = await world();
      const steps: string[] = [];
      let finishSync: () => void = () => undefined;
      const slow: FileSystem = {
        ...fs,
        open: async (path, options) => {
          const handle = await fs.open(path, options);
          if (!path.endsWith('/part-1')) return handle;
          return {
            ...handle,
            // Only the first handle is watched: a hand-over may open the part again afterwards.
            datasync: async () => {
              if (steps.includes('closed')) return handle.datasync();
              steps.push('sync started');
              await new Promise<void>((resolve) => (finishSync = resolve));
              await handle.datasync();
              steps.push('sync finished');
            },
            close: async () => {
              if (!steps.includes('closed')) steps.push('closed');
              await handle.close();
            },
          };
        },
      };
      const store = createFileByteStore({ fs: slow, directory });
      await store.append('part-1', text('abc'));
      const sync = store.sync('part-1');
      while (!steps.includes('sync started')) await new Promise((resolve) => setImmediate(resolve));
      const other =
        during === 'delete' ? store.delete('part-1') : during === 'truncate' ? store.truncate('part-1', 1) : store.handOver('part-1', { destination: null, suggestedName: null });
      for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
      expect(steps, during).toEqual(['sync started']);
      finishSync();
      await Promise.all([sync, other]);
      expect(steps, during).toEqual(['sync started', 'sync finished', 'closed']);
    }
  });

  it('a link planted at parts/, finished/ or handovers/ is refused, never followed: nothing is written through it', async () => {
    for (const inside of ['parts', 'finished', 'handovers']) {
      const fs = await world();
      await fs.mkdir(directory);
      fs.plantSymlink(`${directory}/${inside}`);
      const store = createFileByteStore({ fs, directory });
      const error = await expectRejection(store.append('part-1', text('abc')), 'StoreFailed');
      expect(error.path, inside).toBe(`${directory}/${inside}`);
      expect(await fs.lstat(`${directory}/parts/part-1`), inside).toBeNull();
    }
  });

  it('deleteLocation deletes only inside finished/: app files and parts are InvalidArgument and stay', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'k', 'abc');
    await writeFileBytes(fs, '/downloads/mine.txt', text('app'));
    for (const location of ['/downloads/mine.txt', '/session/bytes/parts/k', '/session/bytes/finished/..', '/session/bytes/finished/../parts/k', 'k']) {
      await expectRejection(store.deleteLocation(location), 'InvalidArgument');
    }
    expect(await readFileBytes(fs, '/downloads/mine.txt')).toEqual(text('app'));
    expect(await store.length('k')).toBe(3);
    const { location } = await store.handOver('k', { destination: null, suggestedName: null });
    expect(location).toBe('/session/bytes/finished/k');
    await store.deleteLocation(location);
    await store.deleteLocation(location);
    expect(await store.locationSize(location)).toBeNull();
    expect(await store.keys()).toEqual([]);
  });

  it('a key handed over to the app stays listed until deleted, and deleting it never touches the app file', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'part-1', 'payload');
    const destination = { type: 'path', path: '/downloads/a.bin', ifExists: 'fail' } as const;
    await store.handOver('part-1', { destination, suggestedName: null });
    // Listed so the removal of orphans at open can drop the marker of a task that is gone.
    expect(await store.keys()).toEqual(['part-1']);
    expect(await store.length('part-1')).toBeNull();
    await store.delete('part-1');
    expect(await store.keys()).toEqual([]);
    expect(await readFileBytes(fs, '/downloads/a.bin')).toEqual(text('payload'));
    await expectRejection(store.handOver('part-1', { destination, suggestedName: null }), 'StoreFailed');
  });

  it('a key reused after its hand-over gets a fresh hand-over, not the old answer', async () => {
    const fs = await world();
    const store = createFileByteStore({ fs, directory });
    await filled(store, 'k', 'first');
    const first = await store.handOver('k', { destination: { type: 'path', path: '/downloads/1', ifExists: 'fail' }, suggestedName: null });
    await filled(store, 'k', 'second');
    const second = await store.handOver('k', { destination: { type: 'path', path: '/downloads/2', ifExists: 'fail' }, suggestedName: null });
    expect([first.location, second.location]).toEqual(['/downloads/1', '/downloads/2']);
    expect(await readFileBytes(fs, '/downloads/2')).toEqual(text('second'));
    expect(await readFileBytes(fs, '/downloads/1')).toEqual(text('first'));
  });

  it('small downloads finishing together cost one data sync each, share their directory syncs and write no marker file', async () => {
    const memory = createMemoryFileSystem();
    await memory.mkdir('/session');
    await memory.mkdir('/downloads');
    const calls = new Map<string, number>();
    const count = (name: string): void => void calls.set(name, (calls.get(name) ?? 0) + 1);
    const fs: FileSystem = {
      ...memory,
      open: async (path, options) => {
        count('open');
        const handle = await memory.open(path, options);
        return { ...handle, datasync: () => (count('datasync'), handle.datasync()) };
      },
      fsyncDir: (path) => (count(`fsyncDir ${path}`), memory.fsyncDir(path)),
      lstat: (path) => (count('lstat'), memory.lstat(path)),
    };
    const store = createFileByteStore({ fs, directory });
    const keys = Array.from({ length: 16 }, (_, i) => `part-${i}`);
    await Promise.all(
      keys.map(async (key) => {
        await store.append(key, text(key));
        await store.sync(key);
        const destination = { type: 'path', path: `/downloads/${key}`, ifExists: 'replace' } as const;
        expect((await store.handOver(key, { destination, suggestedName: null })).location).toBe(`/downloads/${key}`);
      }),
    );
    expect(calls.get('datasync')).toBe(16);
    expect(calls.get(`fsyncDir ${directory}/parts`)).toBeLessThanOrEqual(4);
    expect(calls.get('fsyncDir /downloads')).toBeLessThanOrEqual(4);
    expect(calls.get(`fsyncDir ${directory}/handovers`)).toBeUndefined();
    // One file opened per part (no marker file), and two stats per hand-over (the part, the place).
    expect(calls.get('open')).toBe(16);
    expect(calls.get('lstat')).toBeLessThanOrEqual(4 + 2 * 16);
    for (const key of keys) expect(await readFileBytes(fs, `/downloads/${key}`)).toEqual(text(key));
    await Promise.all(keys.map((key) => store.delete(key)));
    expect(await store.keys()).toEqual([]);
    expect(await fs.readdir(`${directory}/handovers`)).toEqual([]);
  });

  it('the boot identity is the file system’s', async () => {
    const fs = faultyFileSystem(createMemoryFileSystem({ bootIdentity: 'boot-42' }));
    expect(await createFileByteStore({ fs, directory: '/bytes' }).bootIdentity()).toBe('boot-42');
  });
});
