import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from './generated-content.js';

/** One response the server gave. */
export interface ServedResponse {
  readonly range: string | null;
  readonly ifRange: string | null;
  readonly status: number;
  /** The first body byte's offset in the file. */
  readonly start: number;
  /** Body bytes handed to the socket, counted when handed over (some may never be read). */
  bytesWritten: number;
  /** Whether the whole body was handed over. */
  complete: boolean;
  /** Whether the response is over: complete, cut, or its connection gone. */
  closed: boolean;
}

/** What the server does after each paced chunk: go on, or drop the connection there. */
export type ChunkVerdict = 'continue' | 'cut';

/** What {@link startRangeFileServer} serves, and how fast. */
export interface RangeFileServerOptions {
  /** The file, served from memory at every path. */
  readonly content: Buffer;
  /** Paces bodies to this rate in chunks (B4); without it a body is one write, as fast as the socket takes it. */
  readonly bytesPerSecond?: number;
  /** Chunk size of a paced body (default 64 KiB). */
  readonly chunkBytes?: number;
  /** Told after each paced chunk; returning `cut` destroys the connection before another byte is written. */
  readonly onChunk?: (served: ServedResponse) => ChunkVerdict;
}

/** A local file server on 127.0.0.1: one body, a strong ETag, `Range: bytes=N-` and `If-Range`. */
export interface RangeFileServer {
  /** A URL of the body (every path serves it). */
  readonly url: string;
  /** The URL's origin, for many URLs of the same body (`${origin}/f/1`...). */
  readonly origin: string;
  readonly etag: string;
  readonly responses: readonly ServedResponse[];
  /** Body bytes handed to sockets, over every response. */
  bytesSent(): number;
  /** Forgets the responses so far (between contenders). */
  reset(): void;
  close(): Promise<void>;
}

/** Hands a chunk to the socket and waits for it to drain; false once the connection is gone. */
async function writeChunk(response: ServerResponse, served: ServedResponse, chunk: Buffer): Promise<boolean> {
  if (response.destroyed) return false;
  const flushed = response.write(chunk);
  served.bytesWritten += chunk.length;
  if (flushed) return true;
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

/** Sends `[served.start, size)` at no more than `bytesPerSecond`, asking `onChunk` after each chunk. */
async function sendPaced(response: ServerResponse, served: ServedResponse, options: RangeFileServerOptions & { readonly bytesPerSecond: number }): Promise<void> {
  const { content, bytesPerSecond } = options;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const began = performance.now();
  for (let offset = served.start; offset < content.length; offset += chunkBytes) {
    const due = (served.bytesWritten / bytesPerSecond) * 1000 - (performance.now() - began);
    if (due > 1) await sleep(due);
    if (!(await writeChunk(response, served, content.subarray(offset, Math.min(content.length, offset + chunkBytes))))) return;
    if (options.onChunk?.(served) === 'cut') {
      served.closed = true;
      response.destroy();
      return;
    }
  }
  served.complete = true;
  response.end();
}

/**
 * Starts the benchmarks' file server on 127.0.0.1 (a free port). `Range: bytes=N-` with a matching
 * `If-Range` (or none) gets a 206 from N, anything else the whole body. Unpaced, a body is one
 * `end(buffer)`: Node hands the whole slice to the socket with no copy, so the server is not what
 * limits a download (B1 prints `curl -o /dev/null` from it as the ceiling).
 *
 * @example
 * ```ts
 * const server = await startRangeFileServer({ content: generatedContent(2 ** 20) });
 * ```
 */
export async function startRangeFileServer(options: RangeFileServerOptions): Promise<RangeFileServer> {
  const { content } = options;
  const size = content.length;
  const etag = `"${sha256Hex(content.subarray(0, Math.min(size, 2 ** 20))).slice(0, 16)}-${size}"`;
  const responses: ServedResponse[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
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
    if (options.bytesPerSecond === undefined) {
      served.bytesWritten = size - start;
      response.end(content.subarray(start), () => (served.complete = true));
      return;
    }
    sendPaced(response, served, { ...options, bytesPerSecond: options.bytesPerSecond }).catch(() => response.destroy());
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/file.bin`,
    origin,
    etag,
    responses,
    bytesSent: () => responses.reduce((sum, served) => sum + served.bytesWritten, 0),
    reset: () => void responses.splice(0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
