import { describe, expect, it } from 'vitest';
import type { ByteStore } from '../ports/byte-store.js';
import { createMemoryByteStore, type MemoryByteStore } from '../stores/memory-byte-store.js';
import { WriteBehind, type WriteBehindOptions } from './write-behind.js';

const KiB = 1024;

/** A memory byte store whose appends wait for a `release()` each (given before or after), recording each call in order. */
function gatedStore(): { store: ByteStore; memory: MemoryByteStore; calls: string[]; release: () => void } {
  const memory = createMemoryByteStore();
  const calls: string[] = [];
  const gates: Array<() => void> = [];
  let credits = 0;
  const store: ByteStore = {
    ...memory,
    async append(key, bytes) {
      calls.push(`append ${bytes.byteLength}`);
      if (credits > 0) credits -= 1;
      else await new Promise<void>((resolve) => gates.push(resolve));
      await memory.append(key, bytes);
    },
    async sync(key) {
      calls.push('sync');
      await memory.sync(key);
    },
  };
  const release = (): void => {
    const gate = gates.shift();
    if (gate === undefined) credits += 1;
    else gate();
  };
  return { store, memory, calls, release };
}

function chunk(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i) & 0xff);
}

function writer(store: ByteStore, overrides: Partial<WriteBehindOptions> = {}): WriteBehind {
  return new WriteBehind({
    byteStore: store,
    key: 'part-1',
    offset: 0,
    signal: new AbortController().signal,
    maxBuffered: 64 * KiB,
    maxWrite: 32 * KiB,
    onWritten: () => undefined,
    ...overrides,
  });
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('WriteBehind', () => {
  it('keeps reading while an append is in flight, then writes the chunks that waited as one append, in order', async () => {
    const { store, memory, calls, release } = gatedStore();
    const queue = writer(store);
    const chunks = [chunk(8 * KiB, 1), chunk(8 * KiB, 2), chunk(8 * KiB, 3), chunk(8 * KiB, 4)];
    // None of these pushes waits for the disk: the first append is still held.
    for (const c of chunks) await queue.push(c);
    expect(calls).toEqual(['append 8192']);
    const drained = queue.drain();
    release();
    await settle();
    release();
    await drained;
    expect(calls).toEqual(['append 8192', 'append 24576']);
    expect(memory.data.entries.get('part-1')?.buffer.subarray(0, 32 * KiB)).toEqual(Uint8Array.from(chunks.flatMap((c) => [...c])));
    expect(queue.offset).toBe(32 * KiB);
  });

  it('appends a chunk the store takes at once by reference: no copy (the simulator keeps shared content by reference)', async () => {
    const memory = createMemoryByteStore();
    const appended: Uint8Array[] = [];
    const store: ByteStore = { ...memory, append: async (key, bytes) => { appended.push(bytes); await memory.append(key, bytes); } };
    const queue = writer(store);
    const chunks = [chunk(8 * KiB, 1), chunk(8 * KiB, 2)];
    for (const c of chunks) {
      await queue.push(c);
      await queue.drain();
    }
    expect(appended).toHaveLength(2);
    expect(appended[0]).toBe(chunks[0]);
    expect(appended[1]).toBe(chunks[1]);
  });

  it('makes the reader wait once more than maxBuffered bytes are not written, and lets it go as appends land', async () => {
    const { store, release } = gatedStore();
    const queue = writer(store, { maxBuffered: 16 * KiB, maxWrite: 8 * KiB });
    await queue.push(chunk(8 * KiB, 1));
    await queue.push(chunk(8 * KiB, 2));
    let through = false;
    const third = queue.push(chunk(8 * KiB, 3)).then(() => (through = true));
    await settle();
    expect(through).toBe(false);
    release();
    await third;
    expect(through).toBe(true);
  });

  it('#18 a sync resolves with the offset it made durable: the bytes pushed before it, not those after', async () => {
    const { store, memory, calls, release } = gatedStore();
    const queue = writer(store, { offset: 0 });
    await queue.push(chunk(4 * KiB, 1));
    const synced = queue.sync();
    await queue.push(chunk(4 * KiB, 2));
    for (let i = 0; i < 5; i++) {
      release();
      await settle();
    }
    expect(await synced).toBe(4 * KiB);
    expect(calls).toEqual(['append 4096', 'sync', 'append 4096']);
    await queue.drain();
    expect(memory.data.entries.get('part-1')?.synced).toBe(4 * KiB);
  });

  it('an aborted attempt writes nothing more: the bytes that waited are dropped', async () => {
    const { store, memory, release } = gatedStore();
    const controller = new AbortController();
    const queue = writer(store, { signal: controller.signal });
    await queue.push(chunk(4 * KiB, 1));
    await queue.push(chunk(4 * KiB, 2));
    controller.abort();
    const stopped = queue.stop(false);
    release();
    await stopped;
    expect(memory.data.entries.get('part-1')?.length).toBe(4 * KiB);
    await expect(queue.push(chunk(1, 3))).rejects.toMatchObject({ code: 'ConnectionFailed' });
  });

  it('stop(true) still appends the bytes received before a connection failed', async () => {
    const { store, memory, release } = gatedStore();
    const queue = writer(store);
    await queue.push(chunk(4 * KiB, 1));
    await queue.push(chunk(4 * KiB, 2));
    const stopped = queue.stop(true);
    for (let i = 0; i < 5; i++) {
      release();
      await settle();
    }
    await stopped;
    expect(memory.data.entries.get('part-1')?.length).toBe(8 * KiB);
  });

  it('a failed append stops the queue and every later call rethrows it', async () => {
    const memory = createMemoryByteStore();
    const queue = writer(memory);
    memory.failAppendsWith('DiskFull');
    await queue.push(chunk(4 * KiB, 1));
    await expect(queue.drain()).rejects.toMatchObject({ code: 'DiskFull' });
    await expect(queue.push(chunk(4 * KiB, 2))).rejects.toMatchObject({ code: 'DiskFull' });
    await expect(queue.sync()).rejects.toMatchObject({ code: 'DiskFull' });
    expect(memory.data.entries.get('part-1')).toBeUndefined();
  });

  it('counts offsets from the bytes already kept, and tells each append', async () => {
    const memory = createMemoryByteStore();
    await memory.append('part-1', chunk(100, 0));
    const told: Array<[number, number]> = [];
    const queue = writer(memory, { offset: 100, onWritten: (offset, bytes) => told.push([offset, bytes]) });
    await queue.push(chunk(50, 1));
    await queue.drain();
    await queue.push(chunk(25, 2));
    await queue.drain();
    expect(told).toEqual([
      [150, 50],
      [175, 25],
    ]);
    expect(memory.data.entries.get('part-1')?.length).toBe(175);
  });
});
