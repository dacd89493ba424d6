import { describe, expect, it } from 'vitest';
import type { RequestBody } from '@bgsession/core';
import { expectRejection } from '@bgsession/testing';
import { attemptRequest, cleanUpAfterEach, readAll, startHttpServer, startRawServer, testTransport } from './test-servers.test-helpers.js';
import type { UndiciTransport } from './undici-transport.js';

const later = cleanUpAfterEach();
const transport = (): UndiciTransport => testTransport(later);

/** A body of `chunks` that claims `length` bytes. */
function body(length: number, chunks: readonly Uint8Array[]): RequestBody {
  return {
    length,
    open: async function* () {
      yield* chunks;
    },
  };
}

/** A server that records the request head and every body byte until the client goes away. */
async function recordingServer(): Promise<{ origin: string; head: () => string; body: () => Buffer }> {
  let head = '';
  const received: Buffer[] = [];
  const server = await startRawServer((socket, requestHead, rest) => {
    head = requestHead;
    received.push(rest);
    const length = Number(/content-length: (\d+)/i.exec(requestHead)?.[1] ?? 0);
    // Answers once the announced body is in, so a well-behaved upload completes.
    const check = (): void => {
      if (Buffer.concat(received).byteLength >= length) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    };
    socket.on('data', (data: Buffer) => {
      received.push(data);
      check();
    });
    check();
  });
  later(() => server.close());
  return { origin: server.origin, head: () => head, body: () => Buffer.concat(received) };
}

describe('undici transport: request bodies', () => {
  it('streams a PUT body with its exact Content-Length, and progress reaches the length', async () => {
    const chunks = [0, 1, 2, 3].map((index) => new Uint8Array(16 * 1024).fill(index));
    let receivedHeaders: Record<string, unknown> = {};
    let receivedBody = Buffer.alloc(0);
    const server = await startHttpServer((request, response) => {
      receivedHeaders = { ...request.headers };
      const parts: Buffer[] = [];
      request.on('data', (part: Buffer) => parts.push(part));
      request.on('end', () => {
        receivedBody = Buffer.concat(parts);
        response.writeHead(201, { 'content-length': '0' }).end();
      });
    });
    later(() => server.close());
    const progress: number[] = [];
    const response = await transport().start(
      attemptRequest(`${server.origin}/upload`, { method: 'PUT', body: body(64 * 1024, chunks), onBodySent: (total) => progress.push(total) }),
    );
    await readAll(response.body);
    expect(response.head.status).toBe(201);
    expect(receivedHeaders['content-length']).toBe(String(64 * 1024));
    expect(receivedHeaders['transfer-encoding']).toBeUndefined();
    expect(receivedBody.equals(Buffer.concat(chunks))).toBe(true);
    expect(progress).toEqual([16, 32, 48, 64].map((kib) => kib * 1024));
  });

  it('ignores a Content-Length or Transfer-Encoding in the request headers: the body length frames it', async () => {
    const server = await recordingServer();
    const payload = new TextEncoder().encode('abc');
    const response = await transport().start(
      attemptRequest(`${server.origin}/`, { method: 'POST', headers: { 'content-length': '99', 'transfer-encoding': 'chunked' }, body: body(3, [payload]) }),
    );
    await readAll(response.body);
    expect(server.head()).toMatch(/content-length: 3(\r\n|$)/i);
    expect(server.head()).not.toMatch(/transfer-encoding/i);
    expect(server.head()).not.toMatch(/content-length: 99/i);
    expect(server.body().toString('latin1')).toBe('abc');
  });

  it('an empty body is sent as Content-Length: 0', async () => {
    const server = await recordingServer();
    const response = await transport().start(attemptRequest(`${server.origin}/`, { method: 'PUT', body: body(0, []) }));
    await readAll(response.body);
    expect(response.head.status).toBe(200);
    expect(server.head()).toMatch(/content-length: 0(\r\n|$)/i);
    expect(server.body().byteLength).toBe(0);
  });

  it('a source that yields more than its length is UploadSourceChanged, and the extra bytes are never sent', async () => {
    const server = await recordingServer();
    const chunks = [new Uint8Array(6).fill(0xaa), new Uint8Array(6).fill(0xbb)];
    await expectRejection(transport().start(attemptRequest(`${server.origin}/`, { method: 'POST', body: body(10, chunks) })), 'UploadSourceChanged');
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(server.head()).toMatch(/^POST /);
    expect(server.body().byteLength).toBeLessThanOrEqual(10);
    expect(server.body().includes(0xbb)).toBe(false);
  });

  it('a source that ends short of its length is UploadSourceChanged', async () => {
    const server = await recordingServer();
    await expectRejection(
      transport().start(attemptRequest(`${server.origin}/`, { method: 'POST', body: body(10, [new Uint8Array(4)]) })),
      'UploadSourceChanged',
    );
  });
});
