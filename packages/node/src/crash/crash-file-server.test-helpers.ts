import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request the server received, as the crash checks read it. */
export interface ServedRequest {
  /** The harness's launch number when the request arrived. */
  readonly launch: number;
  readonly method: string;
  /** `files/<key>` or `post/<key>`: the task's key. */
  readonly key: string;
  readonly range: string | null;
  readonly ifRange: string | null;
  status: number;
  /** The first body byte's offset in the file. */
  start: number;
  /** Body bytes handed to the socket (a killed client never reads some of them). */
  bytesWritten: number;
  /** Request body bytes received (POST). */
  bytesReceived: number;
}

/** A file the server serves. */
export interface ServedFile {
  readonly content: Uint8Array;
  readonly etag: string;
  readonly sha256: string;
}

/** What {@link startCrashFileServer} takes. */
export interface CrashFileServerOptions {
  /** Served at `/files/<key>`, each with content of its own. */
  readonly files: Readonly<Record<string, number>>;
  /** Each response's pace, so a kill at a random moment lands mid-body. */
  readonly bytesPerSecond: number;
  /** How long a POST waits before it is answered (0: at once). */
  readonly postDelayMs: number;
}

/** A local server for the crash tests: files with strong ETags, Range and If-Range, and a POST echo. */
export interface CrashFileServer {
  readonly origin: string;
  readonly files: ReadonlyMap<string, ServedFile>;
  readonly requests: readonly ServedRequest[];
  /** Stamped on every request from now on. */
  launch: number;
  /** Told of each POST once its body is received, before it is answered. */
  onPost: ((request: ServedRequest) => void) | null;
  /** Connections open now (a dead client's are closed by its kernel once the server notices). */
  openConnections(): number;
  close(): Promise<void>;
}

const chunkSize = 16 * 1024;

/** Bytes from a seed of the key, so two files never share content and a mix-up shows in the hash. */
function contentOf(key: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x811c9dc5;
  for (const char of key) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193) >>> 0;
  state ||= 1;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

async function writePaced(response: ServerResponse, served: ServedRequest, body: Uint8Array, bytesPerSecond: number): Promise<void> {
  const began = performance.now();
  for (let offset = 0; offset < body.length; offset += chunkSize) {
    const due = (served.bytesWritten / bytesPerSecond) * 1000 - (performance.now() - began);
    if (due > 1) await sleep(due);
    if (response.destroyed) return;
    const chunk = body.subarray(offset, offset + chunkSize);
    served.bytesWritten += chunk.length;
    if (!response.write(chunk)) {
      const drained = await new Promise<boolean>((done) => {
        const finish = (value: boolean) => () => {
          response.off('drain', onDrain).off('close', onClose);
          done(value);
        };
        const onDrain = finish(true);
        const onClose = finish(false);
        response.on('drain', onDrain).on('close', onClose);
      });
      if (!drained) return;
    }
  }
  response.end();
}

/**
 * Starts the crash tests' server on 127.0.0.1. A `Range: bytes=N-` whose `If-Range` names the
 * file's ETag gets a 206 from N (a 416 at the end); anything else the whole file, paced.
 *
 * @example
 * ```ts
 * const server = await startCrashFileServer({ files: { a: 1 << 20 }, bytesPerSecond: 8 << 20, postDelayMs: 100 });
 * ```
 */
export async function startCrashFileServer(options: CrashFileServerOptions): Promise<CrashFileServer> {
  const files = new Map<string, ServedFile>();
  for (const [key, size] of Object.entries(options.files)) {
    const content = contentOf(key, size);
    const sha256 = createHash('sha256').update(content).digest('hex');
    files.set(key, { content, etag: `"${sha256.slice(0, 20)}"`, sha256 });
  }
  const requests: ServedRequest[] = [];
  const sockets = new Set<Socket>();
  const state: { launch: number; onPost: ((request: ServedRequest) => void) | null } = { launch: 0, onPost: null };

  const server = createServer((request, response) => {
    const match = /^\/(files|post)\/([a-z0-9-]+)$/.exec(request.url ?? '');
    const header = (name: string): string | null => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const served: ServedRequest = {
      launch: state.launch,
      method: request.method ?? '',
      key: match?.[2] ?? '',
      range: header('range'),
      ifRange: header('if-range'),
      status: 0,
      start: 0,
      bytesWritten: 0,
      bytesReceived: 0,
    };
    requests.push(served);
    if (match?.[1] === 'post' && request.method === 'POST') {
      request.on('data', (chunk: Buffer) => (served.bytesReceived += chunk.length));
      request.on('end', () => {
        state.onPost?.(served);
        const answer = (): void => {
          if (response.destroyed) return;
          served.status = 200;
          const body = JSON.stringify({ received: served.bytesReceived });
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
        };
        if (options.postDelayMs > 0) setTimeout(answer, options.postDelayMs);
        else answer();
      });
      return;
    }
    const file = match?.[1] === 'files' ? files.get(served.key) : undefined;
    if (file === undefined || request.method !== 'GET') {
      served.status = 404;
      response.writeHead(404, { 'content-length': '0' }).end();
      return;
    }
    const size = file.content.length;
    const range = /^bytes=(\d+)-$/.exec(served.range ?? '');
    const start = range !== null && (served.ifRange === null || served.ifRange === file.etag) ? Number(range[1]) : 0;
    served.start = start;
    if (start >= size && start > 0) {
      served.status = 416;
      response.writeHead(416, { 'content-range': `bytes */${size}`, 'content-length': '0' }).end();
      return;
    }
    const headers = { etag: file.etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(size - start) };
    served.status = start > 0 ? 206 : 200;
    if (start > 0) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    else response.writeHead(200, headers);
    writePaced(response, served, file.content.subarray(start), options.bytesPerSecond).catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    files,
    requests,
    get launch() {
      return state.launch;
    },
    set launch(value: number) {
      state.launch = value;
    },
    get onPost() {
      return state.onPost;
    },
    set onPost(value: ((request: ServedRequest) => void) | null) {
      state.onPost = value;
    },
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
