import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { expectRejection } from '@bgsession/testing';
import { attemptRequest, cleanUpAfterEach, closedPort, readAll, startConnectProxy, startHttpServer, startRawServer, withProxyEnvironment, testTransport } from './test-servers.test-helpers.js';
import { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';

const later = cleanUpAfterEach();
const transport = (): UndiciTransport => testTransport(later);

async function raw(respond: Parameters<typeof startRawServer>[0]): ReturnType<typeof startRawServer> {
  const server = await startRawServer(respond);
  later(() => server.close());
  return server;
}

async function http(handler: Parameters<typeof startHttpServer>[0]): ReturnType<typeof startHttpServer> {
  const server = await startHttpServer(handler);
  later(() => server.close());
  return server;
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('undici transport: response bodies', () => {
  it('a body cut short of its Content-Length is IncompleteBody, after the bytes that came', async () => {
    const server = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'));
    const response = await transport().start(attemptRequest(`${server.origin}/`));
    const seen: Uint8Array[] = [];
    const error = await (async () => {
      for await (const chunk of response.body) seen.push(chunk);
    })().then(() => null, (caught: unknown) => caught);
    expect(isBgSessionError(error, 'IncompleteBody'), String(error)).toBe(true);
    expect(text(Buffer.concat(seen))).toBe('0123456789');
  });

  it('a chunked body cut before its terminator is IncompleteBody', async () => {
    const server = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n'));
    const response = await transport().start(attemptRequest(`${server.origin}/`));
    await expectRejection(readAll(response.body), 'IncompleteBody');
  });

  it('a body delimited by the connection closing is complete (HTTP/1.0 and Connection: close)', async () => {
    for (const head of ['HTTP/1.0 200 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n']) {
      const server = await raw((socket) => socket.end(`${head}no length here`));
      const response = await transport().start(attemptRequest(`${server.origin}/`));
      expect(response.head.headers['content-length']).toBeUndefined();
      expect(text(await readAll(response.body))).toBe('no length here');
    }
  });

  it('aborting a streaming body ends the iteration with ConnectionFailed and drops the connection', async () => {
    let serverSawClose = false;
    const server = await http((request, response) => {
      response.writeHead(200, { 'content-length': String(1024 * 1024 * 1024) });
      const block = Buffer.alloc(64 * 1024, 1);
      // Bounded: stops at the first write the kernel does not take, or when the client goes away.
      const pump = (): void => {
        for (let round = 0; round < 64 && !response.destroyed; round += 1) if (!response.write(block)) return void response.once('drain', pump);
      };
      response.on('close', () => (serverSawClose = true));
      pump();
    });
    const controller = new AbortController();
    const response = await transport().start(attemptRequest(`${server.origin}/`, { signal: controller.signal }));
    const iterator = response.body[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort();
    await expectRejection(iterator.next(), 'ConnectionFailed');
    for (let turn = 0; turn < 200 && !serverSawClose; turn += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(serverSawClose).toBe(true);
  });

  it('returns redirects as they are and follows none', async () => {
    const paths: string[] = [];
    const server = await http((request, response) => {
      paths.push(`${request.method ?? ''} ${request.url ?? ''}`);
      const status = Number(request.url?.slice(1));
      response.writeHead(status, { location: '/elsewhere', 'content-length': '5' }).end('moved');
    });
    for (const [method, status] of [['GET', 301], ['POST', 307], ['PUT', 308], ['GET', 303]] as const) {
      const payload = new TextEncoder().encode('x');
      const body = method === 'GET' ? null : { length: 1, open: async function* () { yield payload; } };
      const response = await transport().start(attemptRequest(`${server.origin}/${status}`, { method, body }));
      expect(response.head.status).toBe(status);
      expect(response.head.headers['location']).toBe('/elsewhere');
      expect(text(await readAll(response.body))).toBe('moved');
    }
    expect(paths).toEqual(['GET /301', 'POST /307', 'PUT /308', 'GET /303']);
  });

  it('sends Accept-Encoding as given and returns a gzip body undecoded', async () => {
    const content = new TextEncoder().encode('compress me '.repeat(100));
    const gzipped = gzipSync(content);
    let acceptEncoding: string | undefined;
    const server = await http((request, response) => {
      acceptEncoding = request.headers['accept-encoding'];
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(gzipped.byteLength) }).end(gzipped);
    });
    const response = await transport().start(attemptRequest(`${server.origin}/`, { headers: { 'accept-encoding': 'gzip' } }));
    expect(acceptEncoding).toBe('gzip');
    expect(response.head.headers['content-encoding']).toBe('gzip');
    expect(Buffer.from(await readAll(response.body)).equals(gzipped)).toBe(true);
  });

  it('joins repeated response headers with ", " under lower-case names', async () => {
    const server = await raw((socket) => socket.end('HTTP/1.1 200 OK\r\nX-Part: 1\r\nx-part: 2\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n'));
    const response = await transport().start(attemptRequest(`${server.origin}/`));
    expect(response.head.headers['x-part']).toBe('1, 2');
    expect(response.head.headers['etag']).toBe('"v1"');
    await readAll(response.body);
  });

  it('tells whether the attempt reused a kept-alive connection', async () => {
    const server = await http((_request, response) => response.writeHead(200, { 'content-length': '2' }).end('ok'));
    const undici = transport();
    const first = await undici.start(attemptRequest(`${server.origin}/a`));
    await readAll(first.body);
    // Undici frees the connection for its pool a turn after the body's end.
    await new Promise((resolve) => setImmediate(resolve));
    const second = await undici.start(attemptRequest(`${server.origin}/b`));
    await readAll(second.body);
    expect(first.head.reusedConnection).toBe(false);
    expect(second.head.reusedConnection).toBe(true);
  });
});

describe('undici transport: failures', () => {
  it('a refused connection is ConnectionFailed, and the request provably never left', async () => {
    const port = await closedPort();
    const payload = new TextEncoder().encode('body');
    const error = await expectRejection(
      transport().start(attemptRequest(`http://127.0.0.1:${port}/`, { method: 'POST', body: { length: 4, open: async function* () { yield payload; } } })),
      'ConnectionFailed',
    );
    expect(error.bodyMayHaveBeenSent).toBe(false);
  });

  it('a reset before the response head is ConnectionFailed, and the request may have been sent', async () => {
    const server = await raw((socket) => socket.resetAndDestroy());
    const error = await expectRejection(transport().start(attemptRequest(`${server.origin}/`, { method: 'POST' })), 'ConnectionFailed');
    expect(error.bodyMayHaveBeenSent).toBe(true);
    expect(server.heads[0]).toMatch(/^POST \/ HTTP\/1\.1/);
  });

  it('aborting while still connecting rejects at once, and the request never left', async () => {
    let lookups = 0;
    // A resolver that never answers: the connection stays in its first step.
    const undici = createUndiciTransport({ proxyFromEnvironment: false, lookup: () => void (lookups += 1) });
    later(() => undici.close());
    const controller = new AbortController();
    const started = undici.start(attemptRequest('http://slow-dns.test/', { method: 'POST', signal: controller.signal }));
    for (let turn = 0; turn < 100 && lookups === 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(lookups).toBe(1);
    controller.abort();
    const error = await expectRejection(started, 'ConnectionFailed');
    expect(error.bodyMayHaveBeenSent).toBe(false);
  });

  it('an invalid URL or a scheme other than http(s) is InvalidUrl', async () => {
    for (const url of ['not a url', '/relative', 'ftp://example.com/x', 'file:///etc/passwd', 'data:text/plain,hi']) {
      const error = await expectRejection(transport().start(attemptRequest(url)), 'InvalidUrl');
      expect(error.retryable).toBe(false);
    }
  });

  it('a header undici will not send is InvalidArgument, final rather than retried', async () => {
    const server = await http((_request, response) => response.end());
    const error = await expectRejection(transport().start(attemptRequest(`${server.origin}/`, { headers: { 'x-bad': 'a\r\nb' } })), 'InvalidArgument');
    expect(error.retryable).toBe(false);
  });

  it('close() fails the running attempt with ConnectionFailed and refuses new ones', async () => {
    const server = await http((request) => void request.resume());
    const undici = transport();
    const running = undici.start(attemptRequest(`${server.origin}/`));
    for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    await undici.close();
    await expectRejection(running, 'ConnectionFailed');
    await expectRejection(undici.start(attemptRequest(`${server.origin}/`)), 'ConnectionFailed');
  });
});

describe('undici transport: options', () => {
  it('refuses options it cannot honour with InvalidConfiguration naming the field', () => {
    for (const [options, field] of [
      [{ connectionsPerOrigin: 0 }, 'connectionsPerOrigin'],
      [{ connectionsPerOrigin: 2.5 }, 'connectionsPerOrigin'],
      [{ userAgent: 'app\r\nx-injected: 1' }, 'userAgent'],
      // Values of the wrong type, as plain JavaScript or a cast may give them.
      [{ ca: 5 }, 'ca'],
      [{ ca: [5] }, 'ca'],
      [{ ssrfGuard: 'false' }, 'ssrfGuard'],
      [{ rejectUnauthorized: 'no' }, 'rejectUnauthorized'],
      [{ proxyFromEnvironment: 0 }, 'proxyFromEnvironment'],
      [{ userAgent: 5 }, 'userAgent'],
      [{ lookup: 'x' }, 'lookup'],
      [{ connectionsPerOrigin: '4' }, 'connectionsPerOrigin'],
    ] as const) {
      let caught: unknown = null;
      try {
        createUndiciTransport(options as UndiciTransportOptions);
      } catch (error) {
        caught = error;
      }
      expect(isBgSessionError(caught, 'InvalidConfiguration'), `${JSON.stringify(options)}: ${String(caught)}`).toBe(true);
      expect((caught as { field?: string }).field).toBe(field);
      expect((caught as Error).message).toMatch(/expected|must/);
    }
  });
});

describe('undici transport: request headers and proxies', () => {
  it('sends a User-Agent unless the request has its own', async () => {
    const agents: (string | undefined)[] = [];
    const server = await http((request, response) => {
      agents.push(request.headers['user-agent']);
      response.writeHead(204).end();
    });
    const undici = transport();
    await readAll((await undici.start(attemptRequest(`${server.origin}/`))).body);
    await readAll((await undici.start(attemptRequest(`${server.origin}/`, { headers: { 'user-agent': 'app/1' } }))).body);
    expect(agents).toEqual(['bgsession', 'app/1']);
  });

  it('goes through HTTP_PROXY when proxyFromEnvironment is on (the default), and not when it is off', async () => {
    const target = await http((_request, response) => response.writeHead(200, { 'content-length': '2' }).end('ok'));
    const proxy = await startConnectProxy();
    later(() => proxy.close());
    for (const proxyFromEnvironment of [undefined, false]) {
      const created = withProxyEnvironment({ HTTP_PROXY: proxy.origin }, () =>
        createUndiciTransport(proxyFromEnvironment === undefined ? {} : { proxyFromEnvironment }),
      );
      later(() => created.close());
      const response = await created.start(attemptRequest(`${target.origin}/`));
      expect(text(await readAll(response.body))).toBe('ok');
    }
    expect(proxy.tunnels).toEqual([`CONNECT ${new URL(target.origin).host} HTTP/1.1`]);
  });
});
