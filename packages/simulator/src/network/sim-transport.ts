import { BgSessionError, type AttemptRequest, type AttemptResponse, type HeaderMap, type Transport, type TransportCapabilities } from '@bgsession/core';
import { AttemptRun } from './attempt-run.js';
import { ConnectionPool } from './connection-pool.js';
import { followRedirect, isRedirect } from './follow-redirect.js';
import type { NetworkContext, TransportHandle } from './network-context.js';
import { sendRequest, type HopRequest } from './send-request.js';

/** Options of `network.createTransport`. */
export interface SimTransportOptions {
  /** Capabilities to declare and honour; every one is true by default (like undici). */
  readonly capabilities?: Partial<TransportCapabilities>;
  /** How long the client keeps an idle connection for reuse, ms (default 4000, undici's). */
  readonly keepAlive?: number;
  /** Hops followed when `manualRedirects` is false (default 20, fetch's). */
  readonly maxRedirects?: number;
}

/** A {@link Transport} on the virtual network: one process's HTTP client. */
export interface SimTransport extends Transport {
  /** Unique in the network, in order of creation; the trace names it. */
  readonly id: number;
  /** Closes every connection: attempts in flight fail with `ConnectionFailed`, later ones too (the process died). */
  close(): void;
}

/** Framing and connection management are the transport's: these request headers are not passed on. */
const transportOwnedHeaders: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection', 'host']);

/** What a browser sends when the page may not choose (fetch forbids setting Accept-Encoding). */
const browserAcceptEncoding = 'gzip, deflate, br, zstd';

/**
 * Creates a transport over the network `context`. Each attempt is one request (or, without
 * `manualRedirects`, the chain of redirects a browser would follow), carried by {@link sendRequest}.
 * It declares its capabilities and honours them: without `setsAcceptEncoding` the request's
 * Accept-Encoding is replaced by a browser's, without `seesValidators` ETag, Last-Modified and
 * Content-Range are hidden, without `reportsUploadProgress` `onBodySent` is never called.
 */
export function createSimTransport(context: NetworkContext, options: SimTransportOptions = {}): SimTransport {
  const id = context.nextTransportId();
  const capabilities: TransportCapabilities = {
    setsAcceptEncoding: true,
    seesValidators: true,
    manualRedirects: true,
    reportsUploadProgress: true,
    ...options.capabilities,
  };
  const pool = new ConnectionPool(options.keepAlive ?? 4000);
  const maxRedirects = options.maxRedirects ?? 20;
  const runs = new Set<AttemptRun>();
  let closed = false;
  const handle: TransportHandle = { id, clearPool: (hostname) => pool.clear(hostname) };
  context.addTransport(handle);

  async function hop(request: HopRequest, signal: AbortSignal): Promise<AttemptResponse> {
    const run = new AttemptRun(context.clock, signal);
    runs.add(run);
    context.track({ run, hostname: request.url.hostname, transport: id });
    run.onEnd(() => runs.delete(run));
    run.onEnd((outcome) => {
      const at = context.clock.monotonic();
      if (run.connection !== null && run.responseStarted) {
        context.record({ at, type: 'end', connection: run.connection, bytes: run.bytesReceived, outcome });
      } else if (run.failure !== null) {
        context.record({ at, type: 'failure', transport: id, url: request.url.href, code: run.failure.code, reason: run.reason ?? 'reset' });
      }
    });
    try {
      return await sendRequest(context, { id, pool, capabilities }, request, run);
    } catch (error) {
      if (error instanceof BgSessionError) throw run.fail(error, 'reset', run.reason ?? 'reset');
      throw run.fail(new BgSessionError('ConnectionFailed', 'The simulated exchange failed.', { cause: error, bodyMayHaveBeenSent: run.requestStarted }), 'reset', 'reset');
    }
  }

  async function start(request: AttemptRequest): Promise<AttemptResponse> {
    if (closed) throw new BgSessionError('ConnectionFailed', 'The transport is closed.', { bodyMayHaveBeenSent: false });
    if (request.signal.aborted) throw new BgSessionError('ConnectionFailed', 'The attempt was aborted.', { bodyMayHaveBeenSent: false });
    let current: HopRequest = {
      url: parseUrl(request.url),
      method: request.method.toUpperCase(),
      headers: requestHeaders(request.headers, request.body?.length ?? null, capabilities),
      body: request.body,
      onBodySent: request.onBodySent ?? null,
    };
    for (let hops = 0; ; hops += 1) {
      const response = await hop(current, request.signal);
      if (capabilities.manualRedirects || !isRedirect(response.head)) return response;
      await response.body[Symbol.asyncIterator]().return?.();
      if (hops >= maxRedirects) throw new BgSessionError('RedirectRefused', `More than ${maxRedirects} redirects.`, { bodyMayHaveBeenSent: true });
      current = followRedirect(current, response.head);
    }
  }

  return {
    id,
    capabilities,
    start,
    close() {
      if (closed) return;
      closed = true;
      for (const run of [...runs]) run.interrupt('closed', 'The transport was closed.');
      pool.clear();
      context.removeTransport(handle);
    },
  };
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new BgSessionError('InvalidUrl', 'The request URL is not an absolute URL.', { field: 'url', cause, bodyMayHaveBeenSent: false });
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
    throw new BgSessionError('InvalidUrl', `The request URL ${url} is not an http(s) URL with a host.`, { field: 'url', bodyMayHaveBeenSent: false });
  }
  return parsed;
}

function requestHeaders(headers: HeaderMap, contentLength: number | null, capabilities: TransportCapabilities): Record<string, string> {
  const shaped: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!transportOwnedHeaders.has(key)) shaped[key] = value;
  }
  if (!capabilities.setsAcceptEncoding) shaped['accept-encoding'] = browserAcceptEncoding;
  if (contentLength !== null) shaped['content-length'] = String(contentLength);
  return shaped;
}
