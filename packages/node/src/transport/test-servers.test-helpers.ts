import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import type { AttemptRequest } from '@bgsession/core';
import { concatBytes, type ReceivedRequest, type TransportContractRoutes } from '@bgsession/testing';
import { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';

/**
 * Registers, for the calling test file, the cleanups to run after each test (the last added
 * first), and returns the function that adds one.
 */
export function cleanUpAfterEach(): (cleanup: () => Promise<void>) => void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => void cleanups.push(cleanup);
}

/** An undici transport that ignores the environment's proxies, closed after the test by `later`. */
export function testTransport(later: (cleanup: () => Promise<void>) => void, options: UndiciTransportOptions = {}): UndiciTransport {
  const created = createUndiciTransport({ proxyFromEnvironment: false, ...options });
  later(() => created.close());
  return created;
}

/** A GET of `url` with a fresh signal, overridden by `extra`. */
export function attemptRequest(url: string, extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return { taskIdentifier: 1, url, method: 'GET', headers: { 'accept-encoding': 'identity' }, body: null, signal: new AbortController().signal, ...extra };
}

/** Every byte of a response body. */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return concatBytes(chunks);
}

/** An HTTP server on 127.0.0.1 serving fixed routes and recording what it received. */
export interface RouteServer {
  readonly origin: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** Serves the Transport contract's routes (or any others) on 127.0.0.1, port 0. */
export async function startRouteServer(routes: TransportContractRoutes): Promise<RouteServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: lowerCaseHeaders(request), body });
      const route = routes[request.url ?? ''];
      if (route === undefined) {
        response.writeHead(404, { 'content-length': '0' }).end();
        return;
      }
      if (route.hang === 'beforeHead') return;
      response.writeHead(route.status, { ...route.headers });
      for (const chunk of route.body) response.write(chunk);
      if (route.hang !== 'afterBody') response.end();
    }, () => undefined);
  });
  return { ...(await listen(server)), received };
}

/** An HTTP server on 127.0.0.1 whose handler does whatever the test needs. */
export async function startHttpServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ origin: string; close(): Promise<void> }> {
  return listen(createServer(handler));
}

/** A TCP server on 127.0.0.1 that reads a request head and lets the test answer byte by byte. */
export async function startRawServer(
  respond: (socket: Socket, head: string, rest: Buffer) => void,
): Promise<{ origin: string; heads: string[]; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const heads: string[] = [];
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const head = buffered.subarray(0, end).toString('latin1');
      heads.push(head);
      respond(socket, head, buffered.subarray(end + 4));
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    heads,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A forward proxy on 127.0.0.1 that only tunnels (CONNECT), recording each request line. */
export async function startConnectProxy(): Promise<{ origin: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const server = await startRawServer((socket, head) => {
    tunnels.push(head.split('\r\n')[0] ?? '');
    const [host = '', port = ''] = (head.split(' ')[1] ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
  });
  return { origin: server.origin, tunnels, close: () => server.close() };
}

/** Creates something while the proxy variables are set as given, then restores them. */
export function withProxyEnvironment<T>(variables: Readonly<Record<string, string>>, create: () => T): T {
  const names = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  try {
    for (const name of names) delete process.env[name];
    Object.assign(process.env, variables);
    return create();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A port on 127.0.0.1 that was listening a moment ago and is closed now (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function listen(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return body.byteLength === 0 ? null : new Uint8Array(body);
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
