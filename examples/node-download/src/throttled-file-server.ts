import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentChunks } from './content-chunks.js';

/** One response the server gave, as the example's claims read it. */
export interface ServedResponse {
  readonly range: string | null;
  readonly ifRange: string | null;
  readonly status: number;
  /** The first body byte's offset in the file. */
  readonly start: number;
  /** Body bytes handed to the socket (some may never be read, if the client dies). */
  bytesWritten: number;
  /** Whether the whole body was written. */
  complete: boolean;
  /** Whether the response is over: complete, or its connection gone. */
  closed: boolean;
}

/** A local file server: the generated content at `/big.bin`, a strong ETag, Range and If-Range, throttled. */
export interface ThrottledFileServer {
  readonly url: string;
  readonly etag: string;
  readonly responses: readonly ServedResponse[];
  /** Body bytes handed to sockets, over every response. */
  bytesSent(): number;
  close(): Promise<void>;
}

/** What {@link startThrottledFileServer} serves. */
export interface ThrottledFileServerOptions {
  readonly size: number;
  readonly bytesPerSecond: number;
  /** Stands for the content's version: the ETag changes with it. */
  readonly etag: string;
}

/** Writes a chunk, counting it, then waits for the socket to drain; false once the connection is gone. */
async function writeChunk(response: ServerResponse, served: ServedResponse, chunk: Uint8Array): Promise<boolean> {
  if (response.destroyed) return false;
  const flushed = response.write(chunk);
  // Counted when handed over, not when read: an upper bound on what the client could have received.
  served.bytesWritten += chunk.length;
  if (flushed) return true;
  // Listeners removed either way: a long body waits for drain thousands of times on one response.
  const drained = await new Promise<boolean>((done) => {
    const finish = (value: boolean) => () => {
      response.off('drain', onDrain).off('close', onClose);
      done(value);
    };
    const onDrain = finish(true);
    const onClose = finish(false);
    response.on('drain', onDrain).on('close', onClose);
  });
  return drained && !response.destroyed;
}

/** Sends body bytes `[start, size)` at no more than `bytesPerSecond`, counting what was handed to the socket. */
async function sendBody(response: ServerResponse, served: ServedResponse, size: number, bytesPerSecond: number): Promise<void> {
  const began = performance.now();
  for (const chunk of contentChunks(served.start, size)) {
    // Ahead of the rate: wait until the bytes already written are due.
    const due = (served.bytesWritten / bytesPerSecond) * 1000 - (performance.now() - began);
    if (due > 1) await sleep(due);
    if (!(await writeChunk(response, served, chunk))) return;
  }
  served.complete = true;
  response.end();
}

/**
 * Starts the example's server on 127.0.0.1 (a free port). A `Range: bytes=N-` request whose
 * `If-Range` matches the strong ETag (or has none) gets a 206 from N; anything else the whole body.
 *
 * @example
 * ```ts
 * const server = await startThrottledFileServer({ size: 32 * 1024 * 1024, bytesPerSecond: 8 * 1024 * 1024, etag: '"v1"' });
 * ```
 */
export async function startThrottledFileServer(options: ThrottledFileServerOptions): Promise<ThrottledFileServer> {
  const { size, bytesPerSecond, etag } = options;
  const responses: ServedResponse[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    if (request.url !== '/big.bin') {
      response.writeHead(404, { 'content-length': '0' }).end();
      return;
    }
    const range = request.headers.range ?? null;
    const ifRangeHeader = request.headers['if-range'];
    const ifRange = typeof ifRangeHeader === 'string' ? ifRangeHeader : null;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const start = match !== null && (ifRange === null || ifRange === etag) ? Number(match[1]) : 0;
    if (start >= size && start > 0) {
      response.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' }).end();
      responses.push({ range, ifRange, status: 416, start, bytesWritten: 0, complete: true, closed: true });
      return;
    }
    const served: ServedResponse = { range, ifRange, status: start > 0 ? 206 : 200, start, bytesWritten: 0, complete: false, closed: false };
    responses.push(served);
    response.on('close', () => (served.closed = true));
    const headers = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(size - start) };
    if (start > 0) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    else response.writeHead(200, headers);
    sendBody(response, served, size, bytesPerSecond).catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/big.bin`,
    etag,
    responses,
    bytesSent: () => responses.reduce((sum, served) => sum + served.bytesWritten, 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
