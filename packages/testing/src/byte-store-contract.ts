import { describe, expect, it } from 'vitest';
import type { ByteStore } from '@bgsession/core';
import { concatBytes } from './concat-bytes.js';
import { expectRejection } from './expect-rejection.js';

/** What {@link describeByteStoreContract} needs to test one ByteStore implementation. */
export interface ByteStoreContractFixture {
  /** A byte store over fresh, empty storage. */
  readonly byteStore: ByteStore;
  /** An existing, empty directory destinations may point into. */
  readonly directory: string;
  /** Joins a directory and a file name in the platform's syntax. */
  join(directory: string, name: string): string;
  /** The bytes of the file at a hand-over location, or null when there is none. */
  readFile(location: string): Promise<Uint8Array | null>;
  /** Puts a file at a path, to stand in a destination's way. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** A new instance over the same storage, as a relaunched process would make. */
  reopen?(): Promise<ByteStore>;
  /** Kills every instance made so far, as a process kill would (the OS keeps running). */
  kill?(): Promise<void>;
  /** Frees what the fixture made. */
  dispose?(): Promise<void>;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

async function readAll(store: ByteStore, key: string, offset?: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(key, offset)) chunks.push(chunk);
  return concatBytes(chunks);
}

/**
 * Declares the tests every ByteStore adapter passes (the ByteStore port's guarantees): `factory`
 * makes a fresh fixture for each test.
 *
 * @example
 * ```ts
 * describeByteStoreContract('memory byte store', async () => {
 *   const data = createMemoryByteStoreData();
 *   return {
 *     byteStore: createMemoryByteStore({ data }),
 *     directory: '/downloads',
 *     join: (directory, name) => `${directory}/${name}`,
 *     readFile: async (location) => data.readFile(location),
 *     writeFile: async (path, bytes) => void data.files.set(path, bytes),
 *   };
 * });
 * ```
 */
export function describeByteStoreContract(name: string, factory: () => Promise<ByteStoreContractFixture>): void {
  async function withFixture(run: (fixture: ByteStoreContractFixture) => Promise<void>): Promise<void> {
    const fixture = await factory();
    try {
      await run(fixture);
    } finally {
      await fixture.dispose?.();
    }
  }

  async function filled(fixture: ByteStoreContractFixture, key: string, text: string): Promise<void> {
    await fixture.byteStore.append(key, bytesOf(text));
    await fixture.byteStore.sync(key);
  }

  describe(`${name} (ByteStore contract)`, () => {
    it('an unknown key has no length and is not listed', () =>
      withFixture(async ({ byteStore }) => {
        expect(await byteStore.length('nothing')).toBeNull();
        expect(await byteStore.keys()).not.toContain('nothing');
      }));

    it('appends add at the end, count before sync, and read back in order', () =>
      withFixture(async ({ byteStore }) => {
        await byteStore.append('k', bytesOf('hello '));
        expect(await byteStore.length('k')).toBe(6);
        await byteStore.append('k', bytesOf('world'));
        expect(await byteStore.length('k')).toBe(11);
        await byteStore.sync('k');
        expect(await readAll(byteStore, 'k')).toEqual(bytesOf('hello world'));
        expect(await readAll(byteStore, 'k', 6)).toEqual(bytesOf('world'));
      }));

    it('large contents read back whole, whatever the chunking', () =>
      withFixture(async ({ byteStore }) => {
        const content = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251);
        for (let start = 0; start < content.length; start += 40_000) {
          await byteStore.append('big', content.subarray(start, start + 40_000));
        }
        await byteStore.sync('big');
        // Compared as text: vitest's deep equality walks 300,000 elements slowly.
        expect(hex(await readAll(byteStore, 'big'))).toBe(hex(content));
        expect(hex(await readAll(byteStore, 'big', 123_457))).toBe(hex(content.subarray(123_457)));
      }));

    it('append copies: the caller may reuse its buffer at once', () =>
      withFixture(async ({ byteStore }) => {
        const buffer = bytesOf('abc');
        await byteStore.append('k', buffer);
        buffer.set(bytesOf('xyz'));
        await byteStore.append('k', buffer);
        expect(await readAll(byteStore, 'k')).toEqual(bytesOf('abcxyz'));
      }));

    it('truncate cuts the bytes back, and appends continue at the cut', () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await filled(fixture, 'k', '0123456789');
        await byteStore.truncate('k', 4);
        expect(await byteStore.length('k')).toBe(4);
        await byteStore.append('k', bytesOf('ab'));
        expect(await readAll(byteStore, 'k')).toEqual(bytesOf('0123ab'));
      }));

    it('keys lists every key holding bytes; delete removes one; deleting an unknown key is fine', () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await filled(fixture, 'a', '1');
        await filled(fixture, 'b', '2');
        expect([...(await byteStore.keys())].sort()).toEqual(['a', 'b']);
        await byteStore.delete('a');
        await byteStore.delete('never');
        expect(await byteStore.length('a')).toBeNull();
        expect(await byteStore.keys()).toEqual(['b']);
      }));

    it('the boot identity is stable while the OS runs', () =>
      withFixture(async ({ byteStore }) => {
        const first = await byteStore.bootIdentity();
        expect(first).not.toBe('');
        expect(await byteStore.bootIdentity()).toBe(first);
      }));

    it('hand-over without a destination keeps the file in the store until deleteLocation', () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await filled(fixture, 'k', 'payload');
        const result = await byteStore.handOver('k', { destination: null, suggestedName: 'x.bin' });
        expect(result.inStore).toBe(true);
        expect(await byteStore.length('k')).toBeNull();
        expect(await byteStore.locationSize(result.location)).toBe(7);
        await byteStore.deleteLocation(result.location);
        expect(await byteStore.locationSize(result.location)).toBeNull();
      }));

    it('appending no bytes makes an empty key, which syncs and hands over as an empty file', () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await byteStore.append('empty', new Uint8Array(0));
        expect(await byteStore.length('empty')).toBe(0);
        await byteStore.sync('empty');
        const path = fixture.join(fixture.directory, 'empty.bin');
        const result = await byteStore.handOver('empty', { destination: { type: 'path', path, ifExists: 'fail' }, suggestedName: null });
        expect(result).toEqual({ location: path, inStore: false });
        expect(await fixture.readFile(path)).toEqual(new Uint8Array(0));
        expect(await byteStore.locationSize(path)).toBe(0);
      }));

    it('hand-over to a free path puts the bytes exactly there', () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await filled(fixture, 'k', 'payload');
        const path = fixture.join(fixture.directory, 'out.bin');
        const result = await byteStore.handOver('k', { destination: { type: 'path', path, ifExists: 'fail' }, suggestedName: null });
        expect(result).toEqual({ location: path, inStore: false });
        expect(await fixture.readFile(path)).toEqual(bytesOf('payload'));
        expect(await byteStore.locationSize(path)).toBe(7);
        expect(await byteStore.length('k')).toBeNull();
      }));

    it("ifExists 'fail' rejects with DestinationExists and moves nothing", () =>
      withFixture(async (fixture) => {
        const { byteStore } = fixture;
        await filled(fixture, 'k', 'new');
        const path = fixture.join(fixture.directory, 'taken.bin');
        await fixture.writeFile(path, bytesOf('old'));
        const error = await expectRejection(
          byteStore.handOver('k', { destination: { type: 'path', path, ifExists: 'fail' }, suggestedName: null }),
          'DestinationExists',
        );
        expect(error.path).toBe(path);
        expect(await fixture.readFile(path)).toEqual(bytesOf('old'));
        expect(await readAll(byteStore, 'k')).toEqual(bytesOf('new'));
      }));

    it("ifExists 'replace' overwrites the file in the way", () =>
      withFixture(async (fixture) => {
        await filled(fixture, 'k', 'new');
        const path = fixture.join(fixture.directory, 'taken.bin');
        await fixture.writeFile(path, bytesOf('old content'));
        const result = await fixture.byteStore.handOver('k', {
          destination: { type: 'path', path, ifExists: 'replace' },
          suggestedName: null,
        });
        expect(result.location).toBe(path);
        expect(await fixture.readFile(path)).toEqual(bytesOf('new'));
      }));

    it("ifExists 'rename' picks a free name beside the file in the way, which stays untouched", () =>
      withFixture(async (fixture) => {
        await filled(fixture, 'a', 'first');
        await filled(fixture, 'b', 'second');
        const path = fixture.join(fixture.directory, 'report.pdf');
        await fixture.writeFile(path, bytesOf('old'));
        const destination = { type: 'path', path, ifExists: 'rename' } as const;
        const first = await fixture.byteStore.handOver('a', { destination, suggestedName: null });
        const second = await fixture.byteStore.handOver('b', { destination, suggestedName: null });
        expect(new Set([path, first.location, second.location]).size).toBe(3);
        for (const location of [first.location, second.location]) expectInside(fixture, location, fixture.directory);
        expect(await fixture.readFile(path)).toEqual(bytesOf('old'));
        expect(await fixture.readFile(first.location)).toEqual(bytesOf('first'));
        expect(await fixture.readFile(second.location)).toEqual(bytesOf('second'));
      }));

    it('hand-over into a directory uses the suggested name', () =>
      withFixture(async (fixture) => {
        await filled(fixture, 'k', 'payload');
        const result = await fixture.byteStore.handOver('k', {
          destination: { type: 'directory', directory: fixture.directory, ifExists: 'fail' },
          suggestedName: 'report.pdf',
        });
        expect(result).toEqual({ location: fixture.join(fixture.directory, 'report.pdf'), inStore: false });
        expect(await fixture.readFile(result.location)).toEqual(bytesOf('payload'));
      }));

    it('#20 hostile suggested names land inside the destination directory', () =>
      withFixture(async (fixture) => {
        const names = ['../../escape.txt', '/etc/passwd', '..', '.', '', 'a/../../b', 'C:\\x', '..\\..\\x', null];
        for (const [i, suggestedName] of names.entries()) {
          await filled(fixture, `k${i}`, `content ${i}`);
          const result = await fixture.byteStore.handOver(`k${i}`, {
            destination: { type: 'directory', directory: fixture.directory, ifExists: 'rename' },
            suggestedName,
          });
          expectInside(fixture, result.location, fixture.directory);
          expect(await fixture.readFile(result.location)).toEqual(bytesOf(`content ${i}`));
        }
      }));

    it('after a kill, synced bytes are kept, and unsynced ones as the capability says', async (context) => {
      await withFixture(async (fixture) => {
        if (fixture.kill === undefined || fixture.reopen === undefined) return context.skip('the fixture cannot kill');
        const { byteStore } = fixture;
        await filled(fixture, 'k', 'synced');
        await byteStore.append('k', bytesOf('+unsynced'));
        const boot = await byteStore.bootIdentity();
        await fixture.kill();
        const next = await fixture.reopen();
        expect(await next.bootIdentity()).toBe(boot);
        const expected = byteStore.capabilities.unsyncedSurviveWriter ? 'synced+unsynced' : 'synced';
        expect(await readAll(next, 'k')).toEqual(bytesOf(expected));
      });
    });
  });
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A location is inside `directory` when it is `directory` joined with one plain name. */
function expectInside(fixture: ByteStoreContractFixture, location: string, directory: string): void {
  const separator = fixture.join('a', 'b').slice(1, -1);
  const prefix = fixture.join(directory, '');
  const start = prefix.endsWith(separator) ? prefix : prefix + separator;
  expect(location.startsWith(start), `${location} is not inside ${directory}`).toBe(true);
  const name = location.slice(start.length);
  expect(name).not.toBe('');
  expect(name).not.toBe('.');
  expect(name).not.toBe('..');
  expect(name.includes('/') || name.includes('\\'), `${location} is not one name inside ${directory}`).toBe(false);
}
