import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSecureContext, TLSSocket } from 'node:tls';
import { createJournalStore, type DurableEvent, type SessionListener } from '@bgsession/core';
import { createNodeFileSystem } from '../file-system/node-file-system.js';
import { openSession, type NodeSession, type OpenSessionOptions } from '../host/open-session.js';

/** One request as the server read it (head and body). */
export interface RecordedRequest {
  /** Its place among every request the server read, from 0. */
  readonly index: number;
  /** Its place among the requests for the same path, from 0 (the attempt number, for one task per path). */
  readonly pathIndex: number;
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly url: string;
  /** The path without the query. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** `performance.now()` when the request was read whole. */
  readonly at: number;
  /** Which TCP connection carried it (from 1). */
  readonly connection: number;
  /** How many requests that connection carried before this one (0: a fresh connection). */
  readonly onConnection: number;
  readonly bodyBytes: number;
  /** `performance.now()` when the response head was written, or null before (or without) one. */
  respondedAt: number | null;
}

/** What a handler writes: any status and headers, with the body framed and cut as the test says. */
export interface ResponseSpec {
  readonly status: number;
  /** Written exactly as given (no Date, no ETag is added). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /**
   * `length` (default): `Content-Length` (the body's length unless `contentLength` says otherwise);
   * `chunked`: chunked coding; `close`: no length at all, the body ends when the connection closes.
   */
  readonly framing?: 'length' | 'chunked' | 'close';
  readonly contentLength?: number;
  /** Writes only this many body bytes, then ends the connection as `cutWith` says. */
  readonly cutAfter?: number;
  /** `fin` (default; over TLS, without close_notify), `reset` (RST) or `stall` (silence, connection kept open). */
  readonly cutWith?: 'fin' | 'reset' | 'stall';
  /** Called once the body bytes are written, before the cut or the end (e.g. wait for the client to keep them). */
  readonly beforeEnd?: () => Promise<void>;
  /** Writes the body in pieces of `bytes`, pausing `everyMs` between them. */
  readonly drip?: { readonly bytes: number; readonly everyMs: number };
  /** Called and awaited before the last piece of the body is written (the test decides when a body may end). */
  readonly beforeLastPiece?: () => Promise<void>;
}

/** How a handler answers one request. */
export interface Responder {
  respond(spec: ResponseSpec): Promise<void>;
  /** Resets the connection (RST) without writing a byte of response. */
  reset(): void;
  /** Never answers; the connection stays open until the server closes. */
  stall(): void;
}

/** Answers one request; the connection carries the next request only after a complete response. */
export type FaultHandler = (request: RecordedRequest, respond: Responder) => void | Promise<void>;

/** A scriptable HTTP/1.1 server on 127.0.0.1 (plain or TLS) for the fault cases. */
export interface FaultServer {
  readonly origin: string;
  /** `origin + path`. */
  url(path: string): string;
  /** Every request read, in order. */
  readonly requests: RecordedRequest[];
  /** The requests for one path, in order. */
  requestsTo(path: string): RecordedRequest[];
  /** Body bytes written to sockets over every response (not heads, not chunk framing). */
  bodyBytesWritten(): number;
  /** Answers requests for `path` (without the query). */
  route(path: string, handler: FaultHandler): void;
  /** Answers the request with this overall index, before any route. */
  nth(index: number, handler: FaultHandler): void;
  close(): Promise<void>;
}

/** How {@link startFaultServer} listens. */
export interface FaultServerOptions {
  /** Serve HTTPS with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts a {@link FaultServer} on 127.0.0.1, port 0. Requests no handler claims get a 404. It
 * speaks HTTP/1.1 on raw sockets, so a handler can frame, cut, reset or stall a response at will.
 *
 * @example
 * ```ts
 * const server = await startFaultServer();
 * // The first attempt is cut after 16 KiB; later ones are answered as a compliant server would.
 * server.route('/file', (request, respond) => serveContent(request, respond, { body, etag: '"v1"' }, request.pathIndex === 0 ? { cutAfter: 16384 } : {}));
 * ```
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, FaultHandler>();
  const byIndex = new Map<number, FaultHandler>();
  const sockets = new Set<Socket>();
  const perPath = new Map<string, number>();
  const context = options.tls === undefined ? null : createSecureContext(options.tls);
  let written = 0;
  let connections = 0;

  const server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    const io: Socket = context === null ? raw : new TLSSocket(raw, { isServer: true, secureContext: context });
    io.on('error', () => undefined);
    const connection = ++connections;
    let carried = 0;
    let buffered = Buffer.alloc(0);
    let busy = false;
    let open = true;
    io.on('close', () => (open = false));

    const next = async (): Promise<void> => {
      if (busy || !open) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? '0');
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.subarray(end + 4 + length);
      busy = true;
      const [method = '', url = ''] = requestLine.split(' ');
      const path = url.split('?')[0] ?? url;
      const pathIndex = perPath.get(path) ?? 0;
      perPath.set(path, pathIndex + 1);
      const request: RecordedRequest = {
        index: requests.length, pathIndex, method, url, path, headers, at: performance.now(),
        connection, onConnection: carried++, bodyBytes: length, respondedAt: null,
      };
      requests.push(request);
      const responder = new RawResponder(io, raw, request, (bytes) => (written += bytes));
      const handler = byIndex.get(request.index) ?? routes.get(path) ?? ((_: RecordedRequest, r: Responder) => r.respond({ status: 404, body: '' }));
      try {
        await handler(request, responder);
      } catch {
        raw.destroy();
        return;
      }
      if (!responder.reusable) return;
      busy = false;
      await next();
    };
    io.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      void next();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `${context === null ? 'http' : 'https'}://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    requests,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    bodyBytesWritten: () => written,
    route: (path, handler) => void routes.set(path, handler),
    nth: (index, handler) => void byIndex.set(index, handler),
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

class RawResponder implements Responder {
  /** Whether the connection may carry the next request once the handler returns. */
  reusable = false;

  constructor(
    private readonly io: Socket,
    private readonly raw: Socket,
    private readonly request: RecordedRequest,
    private readonly count: (bytes: number) => void,
  ) {}

  reset(): void {
    this.raw.resetAndDestroy();
  }

  stall(): void {}

  async respond(spec: ResponseSpec): Promise<void> {
    const body = typeof spec.body === 'string' ? Buffer.from(spec.body) : Buffer.from(spec.body ?? new Uint8Array(0));
    const framing = spec.framing ?? 'length';
    const lines = [`HTTP/1.1 ${spec.status} ${STATUS_CODES[spec.status] ?? 'Status'}`];
    for (const [name, value] of Object.entries(spec.headers ?? {})) lines.push(`${name}: ${value}`);
    if (framing === 'length' && !Object.keys(spec.headers ?? {}).some((name) => name.toLowerCase() === 'content-length')) {
      lines.push(`content-length: ${spec.contentLength ?? body.length}`);
    }
    if (framing === 'chunked') lines.push('transfer-encoding: chunked');
    if (framing === 'close') lines.push('connection: close');
    this.request.respondedAt = performance.now();
    await this.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
    const kept = spec.cutAfter === undefined ? body : body.subarray(0, spec.cutAfter);
    const piece = spec.drip?.bytes ?? Math.max(kept.length, 1);
    for (let at = 0; at < kept.length; at += piece) {
      const part = kept.subarray(at, at + piece);
      if (at + piece >= kept.length && spec.beforeLastPiece !== undefined) await spec.beforeLastPiece();
      if (at > 0 && spec.drip !== undefined) await sleep(spec.drip.everyMs);
      if (this.io.destroyed) return;
      this.count(part.length);
      await this.write(framing === 'chunked' ? Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]) : part);
    }
    await spec.beforeEnd?.();
    if (spec.cutAfter !== undefined) return this.cut(spec.cutWith ?? 'fin');
    if (framing === 'chunked') await this.write(Buffer.from('0\r\n\r\n'));
    if (framing === 'close') {
      this.io.end();
      return;
    }
    this.reusable = true;
  }

  private cut(how: 'fin' | 'reset' | 'stall'): void {
    if (how === 'stall') return;
    if (how === 'reset') this.raw.resetAndDestroy();
    // Over TLS the TCP connection ends under the TLS layer: no close_notify is sent.
    else if (this.io === this.raw) this.raw.end();
    else this.raw.destroy();
  }

  private write(bytes: Buffer): Promise<void> {
    if (this.io.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.io.write(bytes, () => resolve()));
  }
}

/** One version of a served file and the validators that go with it. */
export interface ContentVersion {
  readonly body: Uint8Array;
  /** Sent as is: `"v1"` or `W/"v1"`. */
  readonly etag?: string;
  readonly lastModified?: string;
  readonly date?: string;
}

/**
 * Answers as a compliant server would (RFC 9110 sections 13.1.5 and 14): `If-Range` is compared with
 * the current version (strong comparison for an ETag, an exact date for Last-Modified), then `Range:
 * bytes=N-` is honoured with a 206, or a 416 `bytes *\/length` past the end; anything else gets the
 * whole body with a 200. `fault` adds what the test injects (a cut, a drip...).
 */
export function serveContent(request: RecordedRequest, respond: Responder, version: ContentVersion, fault: Partial<ResponseSpec> = {}): Promise<void> {
  const { body } = version;
  const headers: Record<string, string> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
  if (version.etag !== undefined) headers['etag'] = version.etag;
  if (version.lastModified !== undefined) headers['last-modified'] = version.lastModified;
  if (version.date !== undefined) headers['date'] = version.date;
  const range = /^bytes=(\d+)-$/.exec(request.headers['range'] ?? '');
  const ifRange = request.headers['if-range'];
  const current = ifRange === undefined || (ifRange.startsWith('"') ? version.etag === ifRange : version.lastModified === ifRange);
  const answer = (spec: ResponseSpec) => respond.respond({ ...spec, ...fault, headers: { ...spec.headers, ...fault.headers } });
  if (range === null || !current) return answer({ status: 200, headers, body });
  const start = Number(range[1]);
  if (start >= body.length) return answer({ status: 416, headers: { ...headers, 'content-range': `bytes */${body.length}` } });
  return answer({ status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }, body: body.subarray(start) });
}

/** `sha256-<base64>` of bytes, as `integrity` takes it. */
export function integrityOf(bytes: Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
}

/** A listener that records every durable event (and acknowledges it by returning). */
export function recordingListener(): { listener: SessionListener; events: DurableEvent[] } {
  const events: DurableEvent[] = [];
  return {
    events,
    listener: {
      downloadDidFinish: (event) => void events.push(event),
      taskDidComplete: (event) => void events.push(event),
    },
  };
}

/** What the store kept of a task: what a user could read back from the session's journal. */
export interface StoredTask {
  readonly phase: string;
  readonly lastRestart: string | null;
  /** Attempts that counted against `maxAttempts`. */
  readonly spent: number;
}

/** A temporary directory holding one session, opened the way the fault cases need it. */
export class FaultSessions {
  private readonly opened: NodeSession[] = [];

  private constructor(readonly root: string) {}

  static async create(): Promise<FaultSessions> {
    return new FaultSessions(await mkdtemp(join(tmpdir(), 'bgsession-faults-')));
  }

  /** The session's directory. */
  get directory(): string {
    return join(this.root, 'session');
  }

  /** A path for a destination file, beside the session. */
  file(name: string): string {
    return join(this.root, name);
  }

  /** Opens the session: online whatever the sandbox says, short backoffs unless the test gives its own. */
  async open(options: Partial<OpenSessionOptions> = {}): Promise<NodeSession> {
    const session = await openSession({
      identifier: 'com.example.faults',
      directory: this.directory,
      connectivity: { online: true },
      ...options,
      configuration: { retry: { base: 10, cap: 50 }, ...options.configuration },
    });
    this.opened.push(session);
    return session;
  }

  /** Closes every session this opened. */
  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((session) => session.close()));
  }

  /** The task records in the store (closes the sessions first: the store is exclusive). */
  async storedTasks(): Promise<Map<number, StoredTask>> {
    await this.closeAll();
    const store = createJournalStore({ fs: createNodeFileSystem(), directory: join(this.directory, 'store') });
    const contents = await store.open();
    await store.close();
    const tasks = new Map<number, StoredTask>();
    for (const [key, value] of contents.records.get('tasks') ?? new Map<string, unknown>()) {
      // Stored records leave out fields that hold their default (null, 0).
      const raw = value as { phase: string; lastRestart?: string | null; attempts?: { spent?: number } };
      tasks.set(Number(key), { phase: raw.phase, lastRestart: raw.lastRestart ?? null, spent: raw.attempts?.spent ?? 0 });
    }
    return tasks;
  }

  /** Bytes in the session's partial files now. */
  async keptBytes(): Promise<number> {
    const parts = join(this.directory, 'bytes', 'parts');
    const names = await readdir(parts).catch(() => [] as string[]);
    const sizes = await Promise.all(names.map((name) => stat(join(parts, name)).then((s) => s.size, () => 0)));
    return sizes.reduce((sum, size) => sum + size, 0);
  }

  async dispose(): Promise<void> {
    await this.closeAll();
    await rm(this.root, { recursive: true, force: true });
  }
}
