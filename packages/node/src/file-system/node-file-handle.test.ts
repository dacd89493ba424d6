import { describe, expect, it } from 'vitest';
import type { OpenOptions } from '@bgsession/core';
import { expectRejection } from '@bgsession/testing';
import { errnoCodeOf } from './file-system-error.js';
import { createNodeFileHandle, type NodeFileHandleCalls } from './node-file-handle.js';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: fake`), { code });
}

/**
 * A FileHandle over an array that moves at most `step` bytes per call, as Node may, and fails the
 * calls named in `failures`.
 */
function fakeHandle(options: { step?: number; failures?: Partial<Record<'write' | 'datasync', Error>> } = {}) {
  const step = options.step ?? Number.MAX_SAFE_INTEGER;
  let content = new Uint8Array();
  const calls = { datasync: 0 };
  const handle = {
    async read(buffer: Uint8Array, offset: number, length: number, position: number) {
      const chunk = content.subarray(position, position + Math.min(length, step));
      buffer.set(chunk, offset);
      return { bytesRead: chunk.length, buffer };
    },
    async write(buffer: Uint8Array, offset: number, length: number, position: number | null) {
      if (options.failures?.write !== undefined) throw options.failures.write;
      const chunk = buffer.subarray(offset, offset + Math.min(length, step));
      const at = position ?? content.length;
      if (at + chunk.length > content.length) {
        const grown = new Uint8Array(at + chunk.length);
        grown.set(content);
        content = grown;
      }
      content.set(chunk, at);
      return { bytesWritten: chunk.length, buffer };
    },
    async datasync() {
      calls.datasync += 1;
      if (options.failures?.datasync !== undefined) throw options.failures.datasync;
    },
    async truncate(length: number) {
      content = content.slice(0, length);
    },
    async stat() {
      return { size: content.length };
    },
    async close() {},
  };
  return {
    open: (mode: OpenOptions['mode']) => createNodeFileHandle(handle as unknown as NodeFileHandleCalls, '/data/part', mode),
    text: () => new TextDecoder().decode(content),
    calls,
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('the Node file handle', () => {
  it('writes and reads every byte when the OS moves only a few at a time', async () => {
    const fake = fakeHandle({ step: 3 });
    const handle = fake.open('rw');
    await handle.write(bytes('hello, world'), 0);
    await handle.write(bytes('!!'), 'append');
    expect(fake.text()).toBe('hello, world!!');
    expect(new TextDecoder().decode(await handle.read(2, 9))).toBe('llo, worl');
  });

  it('C20 a failed datasync is StoreFailed and is never retried: every later sync of the handle fails without syncing', async () => {
    const fake = fakeHandle({ failures: { datasync: errno('EIO') } });
    const handle = fake.open('rw');
    await handle.write(bytes('abc'), 0);
    const first = await expectRejection(handle.datasync(), 'StoreFailed');
    expect(errnoCodeOf(first.cause)).toBe('EIO');
    await expectRejection(handle.datasync(), 'StoreFailed');
    expect(fake.calls.datasync).toBe(1);
  });

  it('C20 ENOSPC on a write is DiskFull', async () => {
    const handle = fakeHandle({ failures: { write: errno('ENOSPC') } }).open('a');
    const error = await expectRejection(handle.write(bytes('abc'), 'append'), 'DiskFull');
    expect(error.path).toBe('/data/part');
  });

  it('a closed handle refuses calls with StoreFailed, and closing it again is harmless', async () => {
    const handle = fakeHandle().open('rw');
    await handle.close();
    await handle.close();
    await expectRejection(handle.read(0, 1), 'StoreFailed');
    await expectRejection(handle.write(bytes('x'), 0), 'StoreFailed');
  });
});
