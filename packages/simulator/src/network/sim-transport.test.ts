import { describe, expect, it } from 'vitest';
import { isBgSessionError, type RequestBody } from '@bgsession/core';
import { bytesContent } from '../servers/bytes-content.js';
import { createContentPattern } from '../servers/content-pattern.js';
import { generatedContent } from '../servers/generated-content.js';
import { fetchAll, origin, readBody, request, settle, testWorld } from './sim-world.test-helpers.js';

const content = generatedContent({ seed: 5, length: 1_000_000 });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function bodyOf(chunks: readonly Uint8Array[]): RequestBody {
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  return { length, open: async function* () { yield* chunks; } };
}

describe('the simulated transport on the virtual clock', () => {
  it('a new https connection costs TCP and TLS round trips; the body takes its size over the bandwidth, in chunks', async () => {
    const world = testWorld({ latency: 100, bandwidth: 1_000_000 });
    world.server.file('/a.bin', { content });
    const { response, read, headAt } = await fetchAll(world, request(`${origin}/a.bin`));
    expect(headAt).toBe(300);
    expect(response.head).toMatchObject({ status: 200, reusedConnection: false });
    expect(read.error).toBeNull();
    expect(read.at).toBe(1300);
    expect(read.chunks).toEqual(Array(10).fill(100_000));
    expect(sameBytes(read.bytes, content.read(0, content.length))).toBe(true);
    expect(world.server.requests[0]).toMatchObject({ bytesSent: 1_000_000, outcome: 'complete' });
  });

  it('the next request reuses the kept-alive connection: one round trip, reusedConnection true', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content: bytesContent('abc') });
    await fetchAll(world, request(`${origin}/a.bin`));
    const before = world.clock.monotonic();
    const second = await fetchAll(world, request(`${origin}/a.bin`));
    expect(second.response.head.reusedConnection).toBe(true);
    expect(second.headAt - before).toBe(100);
    expect(world.network.trace.filter((event) => event.type === 'connect')).toHaveLength(1);
  });

  it('a connection idle past the client keep-alive is not reused', async () => {
    const world = testWorld({}, { transport: { keepAlive: 4000 } });
    world.server.file('/a.bin', { content: bytesContent('abc') });
    await fetchAll(world, request(`${origin}/a.bin`));
    world.clock.advance(4001);
    const second = await fetchAll(world, request(`${origin}/a.bin`));
    expect(second.response.head.reusedConnection).toBe(false);
  });

  it('reusing a connection the server closed meanwhile is a reset before any response byte, flagged reusedConnection', async () => {
    const world = testWorld({ serverIdleTimeout: 5000 }, { transport: { keepAlive: 10_000 } });
    world.server.file('/a.bin', { content: bytesContent('abc') });
    await fetchAll(world, request(`${origin}/a.bin`));
    world.clock.advance(6000);
    const failed = await settle(world.clock, world.transport.start(request(`${origin}/a.bin`)));
    expect(failed.ok).toBe(false);
    const error = failed.ok ? null : failed.error;
    expect(isBgSessionError(error, 'ConnectionFailed')).toBe(true);
    expect(error).toMatchObject({ reusedConnection: true, bodyMayHaveBeenSent: true });
    expect(world.server.requests).toHaveLength(1);
    const retry = await fetchAll(world, request(`${origin}/a.bin`));
    expect(retry.response.head.reusedConnection).toBe(false);
    expect(world.network.trace.some((event) => event.type === 'failure' && event.reason === 'stale')).toBe(true);
  });

  it('nothing is read from the network until the consumer asks (backpressure)', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    const started = await settle(world.clock, world.transport.start(request(`${origin}/a.bin`)));
    if (!started.ok) throw started.error;
    await world.clock.advanceAsync(60_000);
    expect(world.server.requests[0]?.bytesSent).toBe(0);
    const read = await readBody(world.clock, started.value);
    expect(read.bytes).toHaveLength(1_000_000);
  });

  it('two bodies from one host share its bandwidth', async () => {
    const world = testWorld({ latency: 0, bandwidth: 1_000_000 });
    world.server.file('/a.bin', { content });
    const [a, b] = await Promise.all([world.transport.start(request(`${origin}/a.bin`)), world.transport.start(request(`${origin}/a.bin`))]);
    const drain = async (body: AsyncIterable<Uint8Array>) => {
      for await (const _chunk of body) {
        // read
      }
    };
    const done = await settle(world.clock, Promise.all([drain(a.body), drain(b.body)]));
    expect(done.at).toBeGreaterThanOrEqual(1900);
  });

  it('a slow drip delivers one byte per interval', async () => {
    const world = testWorld({ latency: 0 });
    world.server.file('/drip', { content: bytesContent('0123'), bytesPerSecond: 1 / 59 });
    const { read, headAt } = await fetchAll(world, request(`${origin}/drip`));
    expect(read.chunks).toEqual([1, 1, 1, 1]);
    expect(read.at - headAt).toBeCloseTo(4 * 59_000, 3);
  });

  it('uploads at the upload bandwidth, reporting progress, and the server records the bytes', async () => {
    const world = testWorld({ latency: 0, uploadBandwidth: 100_000 });
    world.server.upload('/up');
    const chunks = [new Uint8Array(100_000).fill(1), new Uint8Array(100_000).fill(2)];
    const sent: number[] = [];
    const { response, headAt } = await fetchAll(world, request(`${origin}/up`, { method: 'PUT', body: bodyOf(chunks), onBodySent: (total) => sent.push(total) }));
    expect(response.head.status).toBe(201);
    expect(sent).toEqual([100_000, 200_000]);
    expect(headAt).toBe(2000);
    expect(world.server.requests[0]).toMatchObject({ bodyLength: 200_000, headers: { 'content-length': '200000' } });
  });

  it('an upload source that yields more or less than its length fails with UploadSourceChanged', async () => {
    const world = testWorld({ latency: 0 });
    world.server.upload('/up');
    const longer: RequestBody = { length: 2, open: async function* () { yield new Uint8Array(3); } };
    const shorter: RequestBody = { length: 5, open: async function* () { yield new Uint8Array(3); } };
    for (const body of [longer, shorter]) {
      const result = await settle(world.clock, world.transport.start(request(`${origin}/up`, { method: 'POST', body })));
      expect(result.ok ? null : result.error, `length ${body.length}`).toSatisfy((error: unknown) => isBgSessionError(error, 'UploadSourceChanged'));
    }
  });

  it('aborting mid-body fails the body with ConnectionFailed; the connection is not reused', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    const controller = new AbortController();
    const started = await settle(world.clock, world.transport.start(request(`${origin}/a.bin`, { signal: controller.signal })));
    if (!started.ok) throw started.error;
    const iterator = started.value.body[Symbol.asyncIterator]();
    await settle(world.clock, iterator.next());
    controller.abort();
    const next = await settle(world.clock, iterator.next());
    expect(next.ok ? null : next.error).toSatisfy((error: unknown) => isBgSessionError(error, 'ConnectionFailed'));
    expect(world.server.requests[0]).toMatchObject({ bytesSent: 100_000, outcome: 'aborted' });
    const again = await fetchAll(world, request(`${origin}/a.bin`));
    expect(again.response.head.reusedConnection).toBe(false);
  });

  it('releasing a body early closes its connection without an error', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    const started = await settle(world.clock, world.transport.start(request(`${origin}/a.bin`)));
    if (!started.ok) throw started.error;
    await started.value.body[Symbol.asyncIterator]().return?.();
    expect(world.server.requests[0]?.outcome).toBe('released');
    expect((await fetchAll(world, request(`${origin}/a.bin`))).response.head.reusedConnection).toBe(false);
  });

  it('a content on a shared pattern is delivered as views of it (no copy), a 206 included', async () => {
    const world = testWorld();
    const pattern = createContentPattern({ seed: 3 });
    const shared = generatedContent({ seed: 4, length: 3_000_000, pattern });
    world.server.file('/shared.bin', { content: shared });
    const started = await settle(world.clock, world.transport.start(request(`${origin}/shared.bin`, { headers: { range: 'bytes=1000-' } })));
    if (!started.ok) throw started.error;
    expect(started.value.head.status).toBe(206);
    const first = await settle(world.clock, started.value.body[Symbol.asyncIterator]().next());
    const chunk = first.ok && first.value.done !== true ? first.value.value : new Uint8Array();
    expect(chunk.buffer).toBe(pattern.bytes.buffer);
    expect(sameBytes(chunk, shared.read(1000, chunk.length))).toBe(true);
  });

  it('a HEAD response has no body, whatever its Content-Length says', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    const { response, read } = await fetchAll(world, request(`${origin}/a.bin`, { method: 'HEAD' }));
    expect(response.head.headers['content-length']).toBe('1000000');
    expect(read.bytes).toHaveLength(0);
    expect((await fetchAll(world, request(`${origin}/a.bin`))).response.head.reusedConnection).toBe(true);
  });

  it('an invalid or non-http URL is InvalidUrl, nothing sent', async () => {
    const world = testWorld();
    for (const url of ['not a url', 'ftp://files.example/a']) {
      const result = await settle(world.clock, world.transport.start(request(url)));
      expect(result.ok ? null : result.error).toMatchObject({ code: 'InvalidUrl', bodyMayHaveBeenSent: false });
    }
  });
});
