import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DurableEvent } from '@bgsession/core';
import { createManualClock } from '@bgsession/testing';
import type { NodeSession } from '../host/open-session.js';
import {
  createCleanup,
  openTestSession,
  openWiredSession,
  scratchDirectory,
  startRecordingServer,
  until,
  within,
  type RecordingServer,
} from './hostile-servers.test-helpers.js';

// faults.md E29 on the real Node adapter: bodies that would grow without bound stop at
// `maxDataTaskBytes` with ResponseTooLarge; a server that drips one byte just inside the idle
// timeout is ended by the resource deadline.

const KiB = 1024;
const MiB = 1024 * KiB;

/** A gzip stream of `members` members of 1 MiB of zeros each: about 1 KiB per MiB it inflates to. */
function gzipBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(MiB));
  return Buffer.concat(new Array<Buffer>(members).fill(member));
}

/** Zeros gzipped `depth` times: a few hundred bytes that inflate to `size` through the whole chain. */
function nestedGzip(size: number, depth: number): Buffer {
  let body = Buffer.alloc(size);
  for (let layer = 0; layer < depth; layer += 1) body = gzipSync(body, { level: 9 });
  return body;
}

describe('E29: bodies that would not end, or would explode', () => {
  const cleanup = createCleanup();
  let session: NodeSession;
  let server: RecordingServer;
  let written = 0;
  let closed = false;
  const completions: DurableEvent[] = [];
  const bomb = gzipBomb(200);
  const smallBomb = gzipBomb(40);
  const chain = nestedGzip(8 * MiB, 6);

  beforeEach(async () => {
    written = 0;
    closed = false;
    completions.length = 0;
    server = await startRecordingServer(cleanup, (request, response) => {
      response.on('close', () => (closed = true));
      if (request.url === '/bomb') response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb);
      else if (request.url === '/small-bomb') response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(smallBomb.length) }).end(smallBomb);
      else if (request.url === '/chain') response.writeHead(200, { 'content-encoding': 'gzip, gzip, gzip, gzip, gzip, gzip', 'content-length': String(chain.length) }).end(chain);
      else if (request.url === '/endless') endless(response);
      else response.writeHead(404, { 'content-length': '0' }).end();
    });
    session = await openTestSession(cleanup, await scratchDirectory(cleanup), {
      listener: { taskDidComplete: (event) => void completions.push(event) },
    });
  });
  afterEach(() => cleanup.run());

  /** Chunked, with no end: 16 KiB at a time as fast as the client reads, up to 256 MiB (a bound for the test). */
  function endless(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * KiB, 7);
    const pump = (): void => {
      while (!closed && written < 256 * MiB) {
        written += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  async function fetchData(path: string, maxDataTaskBytes: number) {
    const task = await session.data({ url: `${server.origin}${path}`, headers: { 'accept-encoding': 'gzip' }, maxDataTaskBytes });
    const outcome = await within(task.outcome(), 10_000, `the data task of ${path}`);
    return { task, outcome };
  }

  it('a gzip bomb is never inflated: over the limit in its encoded size it is ResponseTooLarge', async () => {
    const { outcome } = await fetchData('/bomb', 64 * KiB);
    expect(outcome.phase).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'ResponseTooLarge', retryable: false });
    expect(outcome.error?.message).toContain(String(64 * KiB));
    expect(server.requests).toHaveLength(1);
  });

  it('a gzip bomb under the limit is delivered as the encoded bytes the server sent, not inflated', async () => {
    expect(smallBomb.length).toBeLessThan(64 * KiB);
    const { outcome } = await fetchData('/small-bomb', 64 * KiB);
    expect(outcome.phase).toBe('succeeded');
    await until(() => completions.length === 1, 5_000, 'taskDidComplete');
    const event = completions[0];
    expect(event?.type === 'taskDidComplete' ? Buffer.from(event.response?.body ?? []).equals(smallBomb) : false).toBe(true);
  });

  it('a 6-deep Content-Encoding chain is delivered as sent, with its encodings named, never decoded', async () => {
    const { outcome } = await fetchData('/chain', 64 * KiB);
    expect(outcome.phase).toBe('succeeded');
    await until(() => completions.length === 1, 5_000, 'taskDidComplete');
    const event = completions[0];
    if (event?.type !== 'taskDidComplete' || event.response === null) throw new Error('no response');
    expect(event.response.headers['content-encoding']).toBe('gzip, gzip, gzip, gzip, gzip, gzip');
    expect(Buffer.from(event.response.body).equals(chain)).toBe(true);
  });

  it('an endless chunked body ends as ResponseTooLarge at the configured size, and the connection is dropped', async () => {
    const { outcome } = await fetchData('/endless', MiB);
    expect(outcome.error).toMatchObject({ code: 'ResponseTooLarge' });
    await until(() => closed, 5_000, 'the server to see the connection close');
    // Backpressure: the server could not write much past what the client read before it stopped.
    expect(written).toBeLessThan(32 * MiB);
    expect(server.requests).toHaveLength(1);
  });
});

describe('E29: one byte per (idle timeout - 1 s)', () => {
  const cleanup = createCleanup();
  afterEach(() => cleanup.run());

  it('never times out idle, and ends timedOut with ResourceTimeout at the resource deadline', async () => {
    const idle = 10_000;
    const resource = 60_000;
    const tap: { drip: ((byte: number) => void) | null } = { drip: null };
    const server = await startRecordingServer(cleanup, (_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      tap.drip = (byte) => void response.write(Buffer.of(byte));
    });
    // The watchdog and the deadline run on a clock the test moves: no real waiting, no race.
    const clock = createManualClock({ now: Date.now() });
    const directory = join(await scratchDirectory(cleanup), 'session');
    const session = await openWiredSession(cleanup, { directory, clock });
    const task = await session.data({ url: `${server.origin}/drip`, timeoutForRequest: idle, timeoutForResource: resource });
    const part = join(directory, 'bytes', 'parts', `response-${task.taskIdentifier}`);
    let ended = false;
    task.outcome().then(
      () => (ended = true),
      () => (ended = true),
    );
    let elapsed = 0;
    for (let byte = 1; elapsed < resource; byte += 1) {
      // Still the first attempt, still transferring: no idle timeout came between the bytes.
      await until(() => tap.drip !== null, 5_000, 'the request');
      tap.drip?.(byte);
      await until(async () => ((await stat(part).catch(() => null))?.size ?? 0) === byte, 5_000, `byte ${byte} to be kept`);
      expect(ended).toBe(false);
      expect(task.info().phase).toBe('transferring');
      await clock.advanceAsync(idle - 1_000);
      elapsed += idle - 1_000;
    }
    const outcome = await within(task.outcome(), 5_000, 'the resource timeout');
    expect(outcome.phase).toBe('timedOut');
    expect(outcome.error).toMatchObject({ code: 'ResourceTimeout' });
    // The idle timer was re-armed by every byte: one request, never a retry.
    expect(server.requests).toHaveLength(1);
  });
});
