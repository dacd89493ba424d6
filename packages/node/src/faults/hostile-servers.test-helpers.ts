import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFileByteStore,
  createJournalStore,
  createSession,
  type Clock,
  type DurableEvent,
  type FileSystem,
  type Session,
  type SessionConfigurationInput,
  type SessionListener,
  type TransientEvent,
} from '@bgsession/core';
import { createNodeFileSystem } from '../file-system/node-file-system.js';
import { openSession, type NodeSession, type OpenSessionOptions } from '../host/open-session.js';
import { createNodeClock } from '../platform/node-clock.js';
import { createNodeConnectivity } from '../platform/node-connectivity.js';
import { createNodeHasher } from '../platform/node-hasher.js';
import { createNodeRandom } from '../platform/node-random.js';
import { createUndiciTransport, type UndiciTransportOptions } from '../transport/undici-transport.js';
export { until, within } from '../host/range-server.test-helpers.js';

/** Things to undo after each test, last first. */
export interface Cleanup {
  defer(undo: () => Promise<void> | void): void;
  run(): Promise<void>;
}

/** A {@link Cleanup}: call `run()` in `afterEach`. */
export function createCleanup(): Cleanup {
  const undos: (() => Promise<void> | void)[] = [];
  return {
    defer: (undo) => void undos.push(undo),
    async run() {
      for (const undo of undos.splice(0).reverse()) await Promise.resolve(undo()).catch(() => undefined);
    },
  };
}

/** A fresh directory under the OS's temporary directory, removed by `cleanup`. */
export async function scratchDirectory(cleanup: Cleanup, prefix = 'bgsession-faults-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  cleanup.defer(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

/** Every durable and transient event a session delivered to its listener. */
export interface EventLog {
  readonly listener: SessionListener;
  readonly durable: DurableEvent[];
  readonly transient: TransientEvent[];
}

/** A listener that acknowledges every durable event and records everything. */
export function recordEvents(): EventLog {
  const durable: DurableEvent[] = [];
  const transient: TransientEvent[] = [];
  return {
    durable,
    transient,
    listener: {
      downloadDidFinish: (event) => void durable.push(event),
      taskDidComplete: (event) => void durable.push(event),
      sessionDidBecomeInvalid: (event) => void durable.push(event),
      taskDidWriteData: (event) => void transient.push(event),
      taskDidSendBodyData: (event) => void transient.push(event),
      taskIsWaitingForConnectivity: (event) => void transient.push(event),
      storeProblem: (event) => void transient.push(event),
    },
  };
}

/**
 * Opens a session the way an app does (`openSession`) in `<parent>/session`, online, with fast
 * retries and no proxy from the environment, closed by `cleanup`. `options` override the defaults;
 * `configuration` is merged over the default one.
 */
export async function openTestSession(cleanup: Cleanup, parent: string, options: Partial<OpenSessionOptions> = {}): Promise<NodeSession> {
  const { configuration, transport, ...rest } = options;
  const session = await openSession({
    identifier: 'com.example.faults',
    directory: join(parent, 'session'),
    connectivity: { online: true },
    ...rest,
    configuration: { retry: { base: 10, cap: 50 }, ...configuration },
    transport: { proxyFromEnvironment: false, ...transport },
  });
  cleanup.defer(() => session.close());
  return session;
}

/** What {@link openWiredSession} takes: `openSession`'s wiring, with the file system and clock replaceable. */
export interface WiredSessionOptions {
  readonly directory: string;
  readonly fs?: FileSystem;
  readonly clock?: Clock;
  readonly listener?: SessionListener;
  readonly configuration?: Omit<SessionConfigurationInput, 'identifier'>;
  readonly transport?: UndiciTransportOptions;
}

/**
 * A session wired as `open-session.ts` wires it (journal store in `store/`, file byte store in
 * `bytes/`, undici, Node randomness, connectivity and hasher), but on the file system and clock the
 * test gives: a file system that fails on demand, a clock that moves when the test says.
 */
export async function openWiredSession(cleanup: Cleanup, options: WiredSessionOptions): Promise<Session & { closeAll(): Promise<void> }> {
  const fs = options.fs ?? createNodeFileSystem();
  await fs.mkdir(options.directory);
  const clock = options.clock ?? createNodeClock();
  const connectivity = createNodeConnectivity({ online: true });
  const byteStore = createFileByteStore({ fs, directory: join(options.directory, 'bytes') });
  const transport = createUndiciTransport({ proxyFromEnvironment: false, ...options.transport });
  const closePorts = async (): Promise<void> => {
    connectivity.close();
    await Promise.all([byteStore.close().catch(() => undefined), transport.close().catch(() => undefined)]);
  };
  let session: Session;
  try {
    session = await createSession({
      ports: {
        store: createJournalStore({ fs, directory: join(options.directory, 'store'), clock }),
        byteStore,
        transport,
        clock,
        random: createNodeRandom(),
        connectivity,
        hasher: createNodeHasher(),
      },
      configuration: { retry: { base: 10, cap: 50 }, ...options.configuration, identifier: 'com.example.faults' },
      hostOptions: options.listener === undefined ? {} : { listener: options.listener },
    });
  } catch (error) {
    await closePorts();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const closeAll = (): Promise<void> =>
    (closing ??= (async () => {
      await session.close();
      await closePorts();
    })());
  cleanup.defer(closeAll);
  return { ...session, close: closeAll, closeAll };
}

/** A request as a {@link RecordingServer} saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** An HTTP(S) server on 127.0.0.1 that records every request head before its handler runs. */
export interface RecordingServer {
  readonly origin: string;
  readonly port: number;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A key and certificate in PEM. */
export interface Certificate {
  readonly key: string;
  readonly cert: string;
}

/** Starts a {@link RecordingServer}; with `tls`, it speaks HTTPS with that certificate. */
export async function startRecordingServer(
  cleanup: Cleanup,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  tls?: Certificate,
): Promise<RecordingServer> {
  const requests: SeenRequest[] = [];
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    handler(request, response);
  };
  const server: Server = tls === undefined ? createServer(onRequest) : createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest);
  // A client that gives up mid-response must not crash the test process.
  server.on('clientError', (_error, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  cleanup.defer(close);
  return { origin: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`, port, requests, close };
}

/** Whether the openssl command line is here (the TLS cases are skipped without it). */
export const hasOpenssl = spawnSync('openssl', ['version'], { timeout: 5_000 }).status === 0;

/**
 * A self-signed certificate (its own CA) for `subjectAltName`, valid for `days` (negative: already
 * expired), made with the openssl command line in `directory`.
 */
export async function makeCertificate(directory: string, name: string, subjectAltName: string, days: number): Promise<Certificate> {
  const path = (suffix: string): string => join(directory, `${name}.${suffix}`);
  await writeFile(path('ext'), `subjectAltName=${subjectAltName}\nbasicConstraints=critical,CA:TRUE\n`);
  const run = (args: string[]): void => void execFileSync('openssl', args, { timeout: 10_000, stdio: 'ignore' });
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path('key'), '-subj', '/CN=bgsession-faults', '-out', path('csr')]);
  run(['x509', '-req', '-in', path('csr'), '-signkey', path('key'), '-days', String(days), '-extfile', path('ext'), '-out', path('pem')]);
  return { key: await readFile(path('key'), 'utf8'), cert: await readFile(path('pem'), 'utf8') };
}

/**
 * A forward proxy on 127.0.0.1 that tunnels (CONNECT) any host name to the same port on 127.0.0.1,
 * as a corporate proxy would reach a public name: lets a test give a loopback server a name the
 * SSRF guard has no reason to refuse. Records each CONNECT target.
 */
export async function startLoopbackTunnelProxy(cleanup: Cleanup): Promise<{ origin: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
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
      const target = buffered.subarray(0, end).toString('latin1').split(' ')[1] ?? '';
      tunnels.push(target);
      const port = Number(target.slice(target.lastIndexOf(':') + 1));
      const upstream = connect(port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(buffered.subarray(end + 4));
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.once('close', () => upstream.destroy());
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.defer(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

/** Sets environment variables until `cleanup` runs (each test file runs in its own process). */
export function setEnvironment(cleanup: Cleanup, variables: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(variables)) {
    const saved = process.env[name];
    cleanup.defer(() => {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    });
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * A resolver (the transport's `lookup` option) that answers each name in `names` with its address
 * and every other name with `fallback` (default: refuse as not found), so tests can give loopback
 * servers host names of their own.
 */
export function resolverOf(names: Readonly<Record<string, string>>, fallback: string | null = null): LookupFunction {
  return (hostname, options, callback) => {
    const address = names[hostname.toLowerCase()] ?? fallback;
    if (address === null) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 4);
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}
