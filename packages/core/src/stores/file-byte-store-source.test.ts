import { createMemoryFileSystem, expectRejection } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../ports/file-system.js';
import { faultyFileSystem, readFileBytes, writeFileBytes } from './file-byte-store-faults.test-helpers.js';
import { createFileByteStore } from './file-byte-store.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function world() {
  const fs = faultyFileSystem(createMemoryFileSystem({ now: () => 1234 }));
  await fs.mkdir('/session');
  await fs.mkdir('/home');
  await writeFileBytes(fs, '/home/a.txt', text('0123456789'));
  return { fs, store: createFileByteStore({ fs, directory: '/session/bytes', readChunkSize: 4 }) };
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string[]> {
  const seen: string[] = [];
  for await (const chunk of chunks) seen.push(new TextDecoder().decode(chunk));
  return seen;
}

describe('the file byte store reads an upload from the app\'s file, where it is', () => {
  it('sourceStat tells what is at a path, links not followed, and null for nothing', async () => {
    const { fs, store } = await world();
    fs.plantSymlink('/home/link');
    expect(await store.sourceStat?.('/home/a.txt')).toEqual({ type: 'file', size: 10, mtimeMs: 1234, identity: expect.any(String) as string });
    expect(await store.sourceStat?.('/home')).toMatchObject({ type: 'directory' });
    expect(await store.sourceStat?.('/home/link')).toMatchObject({ type: 'symlink' });
    expect(await store.sourceStat?.('/home/missing.txt')).toBeNull();
  });

  it('a relative path is InvalidArgument naming `path`: the store has no working directory to resolve it against', async () => {
    const { fs, store } = await world();
    const calls = fs.calls;
    expect(await expectRejection(store.sourceStat!('home/a.txt'), 'InvalidArgument')).toMatchObject({ field: 'path', path: 'home/a.txt' });
    await expectRejection(readAll(store.readSource!('./a.txt')), 'InvalidArgument');
    expect(fs.calls).toBe(calls);
  });

  it('on a file system with Windows paths, drive and UNC paths are absolute and the rest is refused', async () => {
    const memory = createMemoryFileSystem();
    const windows: FileSystem = { ...memory, join: (...segments) => segments.join('\\'), lstat: async () => null };
    const store = createFileByteStore({ fs: windows, directory: 'C:\\session\\bytes' });
    for (const path of ['C:\\Users\\me\\a.txt', 'c:/Users/me/a.txt', '\\\\server\\share\\a.txt']) expect(await store.sourceStat!(path)).toBeNull();
    for (const path of ['Users\\me\\a.txt', 'C:a.txt', '\\Users\\me\\a.txt']) await expectRejection(store.sourceStat!(path), 'InvalidArgument');
  });

  it('readSource reads from an offset in chunks, closes the file, and leaves it as it was', async () => {
    const { fs, store } = await world();
    expect(await readAll(store.readSource!('/home/a.txt'))).toEqual(['0123', '4567', '89']);
    expect(await readAll(store.readSource!('/home/a.txt', 3))).toEqual(['3456', '789']);
    expect(fs.openHandles).toBe(0);
    expect(await readFileBytes(fs, '/home/a.txt')).toEqual(text('0123456789'));
    expect(await store.keys()).toEqual([]);
  });

  it('a file that shrinks during a read ends it early, and one that grows is read only to the end it had', async () => {
    const { fs, store } = await world();
    const shrinking = store.readSource!('/home/a.txt')[Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await shrinking.next()).value as Uint8Array)).toBe('0123');
    await writeFileBytes(fs, '/home/a.txt', text('01234'));
    expect(new TextDecoder().decode((await shrinking.next()).value as Uint8Array)).toBe('4');
    expect((await shrinking.next()).done).toBe(true);

    await writeFileBytes(fs, '/home/a.txt', text('0123456789'));
    const growing = store.readSource!('/home/a.txt')[Symbol.asyncIterator]();
    await growing.next();
    await writeFileBytes(fs, '/home/a.txt', text('0123456789abcdef'));
    const rest = [(await growing.next()).value as Uint8Array, (await growing.next()).value as Uint8Array].map((chunk) => new TextDecoder().decode(chunk));
    expect(rest).toEqual(['4567', '89']);
    expect((await growing.next()).done).toBe(true);
    expect(fs.openHandles).toBe(0);
  });

  it('a link planted at the path is never read through', async () => {
    const { fs, store } = await world();
    fs.plantSymlink('/home/link');
    await expectRejection(readAll(store.readSource!('/home/link')), 'PermissionDenied');
  });
});
