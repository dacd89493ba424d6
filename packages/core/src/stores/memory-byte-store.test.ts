import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '../errors/bg-session-error.js';
import type { ByteStore } from '../ports/byte-store.js';
import { createMemoryByteStore } from './memory-byte-store.js';
import { createMemoryByteStoreData } from './memory-byte-store-data.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function chunksOf(store: ByteStore, key: string): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(key)) chunks.push(chunk);
  return chunks;
}

describe('createMemoryByteStore', () => {
  it('powerLoss: unsynced bytes and never-synced keys are gone, synced bytes stay, the boot identity changes', async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data });
    await store.append('kept', text('synced'));
    await store.sync('kept');
    await store.append('kept', text('+lost'));
    await store.append('never', text('lost'));
    const boot = await store.bootIdentity();
    data.powerLoss();
    const next = createMemoryByteStore({ data });
    expect(await next.length('kept')).toBe(6);
    expect(await next.length('never')).toBeNull();
    expect(await next.bootIdentity()).not.toBe(boot);
    await next.append('kept', text('!'));
    expect(data.readFile('x')).toBeNull();
    expect(new TextDecoder().decode(new Uint8Array((await chunksOf(next, 'kept')).flatMap((chunk) => [...chunk])))).toBe('synced!');
  });

  it('a kill keeps unsynced bytes by default, as the OS cache does', async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data });
    await store.append('k', text('abc'));
    store.fence();
    expect(await createMemoryByteStore({ data }).length('k')).toBe(3);
  });

  it('without unsyncedSurviveWriter, a kill drops the unsynced bytes its writer wrote', async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data, unsyncedSurviveWriter: false });
    expect(store.capabilities.unsyncedSurviveWriter).toBe(false);
    await store.append('k', text('abc'));
    await store.sync('k');
    await store.append('k', text('def'));
    await store.append('other', text('never synced'));
    store.fence();
    const next = createMemoryByteStore({ data, unsyncedSurviveWriter: false });
    expect(await next.length('k')).toBe(3);
    expect(await next.length('other')).toBeNull();
  });

  it('fence: every later call rejects with StoreFailed, reads included', async () => {
    const store = createMemoryByteStore();
    await store.append('k', text('abc'));
    const reading = store.read('k');
    store.fence();
    for (const call of [store.append('k', text('x')), store.sync('k'), store.length('k'), store.keys(), chunksOf(store, 'k')]) {
      expect(isBgSessionError(await rejection(call), 'StoreFailed')).toBe(true);
    }
    expect(isBgSessionError(await rejection(reading[Symbol.asyncIterator]().next()), 'StoreFailed')).toBe(true);
  });

  it('failAppendsWith: appends reject with the code until cleared, and the kept bytes stay', async () => {
    const store = createMemoryByteStore();
    await store.append('k', text('abc'));
    store.failAppendsWith('DiskFull');
    const error = await rejection(store.append('k', text('def')));
    expect(isBgSessionError(error, 'DiskFull')).toBe(true);
    expect(await store.length('k')).toBe(3);
    store.failAppendsWith(null);
    await store.append('k', text('def'));
    expect(await store.length('k')).toBe(6);
  });

  it('failNextSync: that sync rejects with StoreFailed and its bytes stay unsynced', async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data });
    await store.append('k', text('abc'));
    await store.sync('k');
    await store.append('k', text('def'));
    store.failNextSync();
    expect(isBgSessionError(await rejection(store.sync('k')), 'StoreFailed')).toBe(true);
    data.powerLoss();
    expect(await store.length('k')).toBe(3);
  });

  it("rename numbers the name before its extension: 'name (1).ext', 'name (2).ext'", async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data });
    data.files.set('/d/report.pdf', text('old'));
    const destination = { type: 'directory', directory: '/d', ifExists: 'rename' } as const;
    const locations: string[] = [];
    for (const key of ['a', 'b']) {
      await store.append(key, text(key));
      locations.push((await store.handOver(key, { destination, suggestedName: 'report.pdf' })).location);
    }
    expect(locations).toEqual(['/d/report (1).pdf', '/d/report (2).pdf']);
    expect(data.readFile('/d/report (2).pdf')).toEqual(text('b'));
  });

  it('without a suggested name, a directory hand-over uses the fallback name', async () => {
    const store = createMemoryByteStore();
    await store.append('k', text('x'));
    const result = await store.handOver('k', {
      destination: { type: 'directory', directory: '/d/', ifExists: 'fail' },
      suggestedName: null,
    });
    expect(result.location).toBe('/d/download');
  });

  it('deleteLocation refuses a location outside the store', async () => {
    const data = createMemoryByteStoreData();
    const store = createMemoryByteStore({ data });
    data.files.set('/home/user/file', text('mine'));
    expect(isBgSessionError(await rejection(store.deleteLocation('/home/user/file')), 'InvalidArgument')).toBe(true);
    expect(data.readFile('/home/user/file')).toEqual(text('mine'));
  });

  it('truncate past the end is refused', async () => {
    const store = createMemoryByteStore();
    await store.append('k', text('abc'));
    expect(isBgSessionError(await rejection(store.truncate('k', 4)), 'InvalidArgument')).toBe(true);
    expect(await store.length('k')).toBe(3);
  });

  it('reads in 64 KiB chunks, each a copy', async () => {
    const store = createMemoryByteStore();
    await store.append('k', new Uint8Array(150 * 1024).fill(7));
    const chunks = await chunksOf(store, 'k');
    expect(chunks.map((chunk) => chunk.length)).toEqual([65_536, 65_536, 22_528]);
    chunks[0]?.fill(0);
    expect((await chunksOf(store, 'k'))[0]?.[0]).toBe(7);
  });
});
