import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { within } from '../host/range-server.test-helpers.js';
import { attemptRequest, readAll, startRawServer } from './test-servers.test-helpers.js';
import { createUndiciTransport } from './undici-transport.js';

// How the end of a body meets backpressure. A body of exactly the read-ahead (64 KiB) that nobody
// reads yet is paused on its last chunk; the server then closes. Undici 7 asserts, from a socket
// event (an uncatchable crash), when a connection it will not keep alive ends while paused
// (nodejs/undici#5360), and calls a kept-alive one that ends while paused "other side closed".
// Kept in a file of its own: a failure here takes the process down.
const readAhead = 64 * 1024;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Answers one request with `head` and `body` and closes. `closed` resolves once the client closed
 * its side too, that is once undici has seen the FIN: the body is read only after that.
 */
async function closingServer(head: string, body: Uint8Array): Promise<{ url: string; closed: () => Promise<unknown> }> {
  let closed: Promise<unknown> | null = null;
  const server = await startRawServer((socket) => {
    closed = once(socket, 'close');
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]));
  });
  cleanups.push(() => server.close());
  return { url: `${server.origin}/file`, closed: () => within(closed ?? Promise.reject(new Error('no request came')), 10_000, 'the client to close') };
}

/** Starts an attempt, waits until undici has seen the server close, then reads the body. */
async function fetchAfterClose(head: string, body: Uint8Array): Promise<{ status: number; bytes: number; error: unknown }> {
  const server = await closingServer(head, body);
  const transport = createUndiciTransport({ proxyFromEnvironment: false });
  cleanups.push(() => transport.close());
  const response = await transport.start(attemptRequest(server.url));
  await server.closed();
  let bytes = 0;
  let error: unknown = null;
  try {
    for await (const chunk of response.body) bytes += chunk.byteLength;
  } catch (caught) {
    error = caught;
  }
  return { status: response.head.status, bytes, error };
}

describe('undici transport: bodies ended by the server closing', () => {
  it('an HTTP/1.0 response with Content-Length and no Connection header is read whole (python3 -m http.server)', async () => {
    const result = await fetchAfterClose(`HTTP/1.0 200 OK\r\nContent-Length: ${readAhead}\r\n`, new Uint8Array(readAhead).fill(97));
    expect(result).toEqual({ status: 200, bytes: readAhead, error: null });
  });

  it.each(['chunked, gzip', 'xchunked', 'chunked;q=1, identity', 'gzip'])(
    'a body whose Transfer-Encoding (%s) does not end in chunked is delimited by the close, and read whole',
    async (codings) => {
      const result = await fetchAfterClose(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${codings}\r\n`, new Uint8Array(readAhead).fill(98));
      expect(result).toEqual({ status: 200, bytes: readAhead, error: null });
    },
  );

  it('an HTTP/1.1 Content-Length body the server closes after (no Connection: close) is complete, not IncompleteBody', async () => {
    const result = await fetchAfterClose(`HTTP/1.1 200 OK\r\nContent-Length: ${readAhead}\r\n`, new Uint8Array(readAhead).fill(99));
    expect(result).toEqual({ status: 200, bytes: readAhead, error: null });
  });

  it('an HTTP/1.0 response cut short of its Content-Length is IncompleteBody after the bytes that came, without a crash', async () => {
    const result = await fetchAfterClose('HTTP/1.0 200 OK\r\nContent-Length: 200000\r\n', new Uint8Array(readAhead).fill(100));
    expect(result.bytes).toBe(readAhead);
    expect(isBgSessionError(result.error, 'IncompleteBody'), String(result.error)).toBe(true);
  });

  it('an HTTP/1.1 response cut short of its Content-Length is still IncompleteBody', async () => {
    const result = await fetchAfterClose('HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n', new Uint8Array(readAhead).fill(101));
    expect(isBgSessionError(result.error, 'IncompleteBody'), String(result.error)).toBe(true);
  });
});

describe('undici transport: responses without content', () => {
  it.each([
    { name: 'a 304', status: '304 Not Modified', method: 'GET' },
    { name: 'a 204', status: '204 No Content', method: 'GET' },
    { name: 'a response to HEAD', status: '200 OK', method: 'HEAD' },
  ])('$name carrying Content-Length: 1000 ends normally with no body', async ({ status, method }) => {
    const server = await startRawServer((socket) => socket.write(`HTTP/1.1 ${status}\r\nContent-Length: 1000\r\nETag: "v1"\r\n\r\n`));
    cleanups.push(() => server.close());
    const transport = createUndiciTransport({ proxyFromEnvironment: false });
    cleanups.push(() => transport.close());
    const response = await transport.start(attemptRequest(`${server.origin}/`, { method }));
    expect(response.head.headers['content-length']).toBe('1000');
    expect((await readAll(response.body)).byteLength).toBe(0);
  });
});
