import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A file server on 127.0.0.1 for the host tests: one generated body, a strong ETag, Range and If-Range. */
export interface RangeServer {
  /** The URL of the body. */
  readonly url: string;
  readonly content: Uint8Array;
  /** The body's SHA-256, hex. */
  readonly sha256: string;
  /** Headers of every request received. */
  readonly requests: IncomingHttpHeaders[];
  /** Body bytes written to sockets, over every response. */
  bytesSent(): number;
  /** The next response ends its connection after `bytes` body bytes, once. */
  cutNextAfter(bytes: number): void;
  close(): Promise<void>;
}

/** Bytes from a fixed seed, so a test's content is the same on every run, and not all one value. */
export function generatedContent(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x12345678;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** The hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Starts a {@link RangeServer} serving `content` at `/file.bin`. */
export async function startRangeServer(content: Uint8Array): Promise<RangeServer> {
  const etag = `"${sha256Hex(content).slice(0, 16)}"`;
  const requests: IncomingHttpHeaders[] = [];
  const sockets = new Set<Socket>();
  let sent = 0;
  let cutAfter: number | null = null;

  const server = createServer((request, response) => {
    requests.push(request.headers);
    if (request.url !== '/file.bin') {
      response.writeHead(404, { 'content-length': '0' }).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    const start = range !== null && (ifRange === undefined || ifRange === etag) ? Number(range[1]) : 0;
    if (start >= content.length && start > 0) {
      response.writeHead(416, { 'content-range': `bytes */${content.length}`, 'content-length': '0' }).end();
      return;
    }
    const body = content.subarray(start);
    const headers = { etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
    if (start > 0) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` });
    else response.writeHead(200, headers);
    const cut = cutAfter;
    cutAfter = null;
    if (cut !== null && cut < body.length) {
      sent += cut;
      // The client gets every byte written, then a FIN in place of the rest: a body cut short.
      response.write(body.subarray(0, cut), () => response.socket?.end());
      return;
    }
    sent += body.length;
    response.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/file.bin`,
    content,
    sha256: sha256Hex(content),
    requests,
    bytesSent: () => sent,
    cutNextAfter: (bytes) => (cutAfter = bytes),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Rejects after `ms` with a message naming what was awaited, so no test waits forever. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every 10 ms until it holds, failing after `ms` (a bound, never an assertion on speed). */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}
