import { describe, expect, it } from 'vitest';
import { isBgSessionError, type FileSystem } from '@bgsession/core';
import { expectRejection } from './expect-rejection.js';

/** What {@link describeFileSystemContract} needs to test one FileSystem implementation. */
export interface FileSystemContractFixture {
  readonly fs: FileSystem;
  /** An existing, empty directory the tests may write in. */
  readonly root: string;
  /** Frees what the fixture made. */
  dispose?(): Promise<void>;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

async function writeFile(fs: FileSystem, path: string, text: string): Promise<void> {
  const handle = await fs.open(path, { mode: 'rw', create: true });
  await handle.truncate(0);
  await handle.write(bytesOf(text), 0);
  await handle.datasync();
  await handle.close();
}

async function readFile(fs: FileSystem, path: string): Promise<string> {
  const handle = await fs.open(path, { mode: 'r' });
  const size = await handle.size();
  const bytes = await handle.read(0, size);
  await handle.close();
  return new TextDecoder().decode(bytes);
}

async function rejectsWithBgSessionError(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(isBgSessionError(error), `expected a BgSessionError, got ${String(error)}`).toBe(true);
}

/**
 * Declares the tests every FileSystem adapter passes (the POSIX subset the journal Store and the file
 * ByteStore rely on): `factory` makes a fresh fixture, with an empty directory, for each test.
 *
 * @example
 * ```ts
 * describeFileSystemContract('memory file system', async () => {
 *   const fs = createMemoryFileSystem();
 *   await fs.mkdir('/root');
 *   return { fs, root: '/root' };
 * });
 * ```
 */
export function describeFileSystemContract(name: string, factory: () => Promise<FileSystemContractFixture>): void {
  async function withFixture(run: (fixture: FileSystemContractFixture) => Promise<void>): Promise<void> {
    const fixture = await factory();
    try {
      await run(fixture);
    } finally {
      await fixture.dispose?.();
    }
  }

  describe(`${name} (FileSystem contract)`, () => {
    it('a created file reads back what was written, at explicit positions', () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 'a.bin');
        const handle = await fs.open(path, { mode: 'rw', create: true });
        await handle.write(bytesOf('hello world'), 0);
        await handle.write(bytesOf('W'), 6);
        await handle.datasync();
        expect(await handle.size()).toBe(11);
        expect(new TextDecoder().decode(await handle.read(6, 5))).toBe('World');
        await handle.close();
        expect(await readFile(fs, path)).toBe('hello World');
      }));

    it("append mode writes at the end", () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 'log');
        await writeFile(fs, path, 'one');
        const handle = await fs.open(path, { mode: 'a' });
        await handle.write(bytesOf(',two'), 'append');
        await handle.datasync();
        await handle.close();
        expect(await readFile(fs, path)).toBe('one,two');
      }));

    it('truncate cuts a file', () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 't');
        await writeFile(fs, path, '0123456789');
        const handle = await fs.open(path, { mode: 'rw' });
        await handle.truncate(3);
        expect(await handle.size()).toBe(3);
        await handle.close();
        expect(await readFile(fs, path)).toBe('012');
      }));

    it('an exclusive create fails when the file exists; opening a missing file without create fails', () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 'x');
        await writeFile(fs, path, 'kept');
        await rejectsWithBgSessionError(fs.open(path, { mode: 'rw', create: true, exclusive: true }));
        expect(await readFile(fs, path)).toBe('kept');
        await rejectsWithBgSessionError(fs.open(fs.join(root, 'missing'), { mode: 'r' }));
      }));

    it('lstat reports files and directories, and null for nothing', () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 'f');
        await writeFile(fs, path, 'abc');
        const file = await fs.lstat(path);
        expect(file?.type).toBe('file');
        expect(file?.size).toBe(3);
        await fs.mkdir(fs.join(root, 'd'));
        expect((await fs.lstat(fs.join(root, 'd')))?.type).toBe('directory');
        expect(await fs.lstat(fs.join(root, 'nothing'))).toBeNull();
      }));

    it('rename moves a file, replacing one at the target', () =>
      withFixture(async ({ fs, root }) => {
        const from = fs.join(root, 'from');
        const to = fs.join(root, 'to');
        await writeFile(fs, from, 'new');
        await writeFile(fs, to, 'old');
        await fs.rename(from, to);
        await fs.fsyncDir(root);
        expect(await fs.lstat(from)).toBeNull();
        expect(await readFile(fs, to)).toBe('new');
      }));

    it('link makes a second name, and fails when the target exists, leaving it untouched', () =>
      withFixture(async ({ fs, root }) => {
        const source = fs.join(root, 'source');
        const target = fs.join(root, 'target');
        await writeFile(fs, source, 'content');
        await fs.link(source, target);
        expect(await readFile(fs, target)).toBe('content');
        const other = fs.join(root, 'other');
        await writeFile(fs, other, 'other');
        await rejectsWithBgSessionError(fs.link(other, target));
        expect(await readFile(fs, target)).toBe('content');
      }));

    it('unlink removes a name; readdir lists the names in a directory', () =>
      withFixture(async ({ fs, root }) => {
        await writeFile(fs, fs.join(root, 'a'), '1');
        await writeFile(fs, fs.join(root, 'b'), '2');
        await fs.mkdir(fs.join(root, 'sub'));
        expect([...(await fs.readdir(root))].sort()).toEqual(['a', 'b', 'sub']);
        await fs.unlink(fs.join(root, 'a'));
        expect([...(await fs.readdir(root))].sort()).toEqual(['b', 'sub']);
        expect(await fs.lstat(fs.join(root, 'a'))).toBeNull();
      }));

    it('a lock is exclusive until released', () =>
      withFixture(async ({ fs, root }) => {
        const path = fs.join(root, 'session.lock');
        const lock = await fs.lock(path);
        await expectRejection(fs.lock(path), 'SessionInUse');
        await lock.release();
        const again = await fs.lock(path);
        await again.release();
      }));

    it('the boot identity is stable while the OS runs', () =>
      withFixture(async ({ fs }) => {
        const first = await fs.bootIdentity();
        expect(first).not.toBe('');
        expect(await fs.bootIdentity()).toBe(first);
      }));
  });
}
