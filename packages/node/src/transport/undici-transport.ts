import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { BgSessionError, type AttemptRequest, type AttemptResponse, type HeaderMap, type Transport, type TransportCapabilities } from '@bgsession/core';
import { trackConnectionReuse } from './connection-reuse.js';
import { environmentProxies, unusableProxy, type EnvironmentProxy } from './environment-proxies.js';
import { exactLengthBody } from './exact-length-body.js';
import { guardLookup, refuseForbiddenHost } from './ssrf-guard.js';
import { startUndiciAttempt } from './undici-attempt.js';
import { undiciOptionProblem } from './undici-option-problem.js';

/**
 * How {@link createUndiciTransport} connects. Every field is optional; an unknown key or a value
 * of another type than the one documented is an `InvalidConfiguration` error naming the key.
 */
export interface UndiciTransportOptions {
  /**
   * Verify the server's certificate (default true). `false` accepts self-signed, expired and
   * wrong-host certificates: an explicit opt-out for one session, never a default.
   */
  readonly rejectUnauthorized?: boolean;
  /** PEM certificates to trust instead of Node's default roots (Node's `tls` `ca` option). */
  readonly ca?: string | readonly string[];
  /**
   * Honour HTTP_PROXY, HTTPS_PROXY and NO_PROXY (and their lower-case forms), read once when the
   * transport is created (default true). A proxy given without a scheme (`proxy.corp:3128`) is
   * taken as `http://`; one undici cannot use is an `InvalidConfiguration` error naming this field.
   */
  readonly proxyFromEnvironment?: boolean;
  /**
   * Refuse, at connect time, addresses that are loopback, private, shared, link-local, cloud
   * metadata, multicast, reserved or unspecified (default false). A name that resolves to one is
   * refused too, checked on the addresses the socket is about to use. A refusal is a final
   * `PermissionDenied` error. Through a proxy the proxy resolves names, so only IP literals and
   * `localhost` names in the URL are checked: enforce egress rules at the proxy.
   */
  readonly ssrfGuard?: boolean;
  /** Sent as `User-Agent` unless the request has one (default `bgsession`; null sends none). */
  readonly userAgent?: string | null;
  /** Resolves host names for direct connections (default: Node's `dns.lookup`). */
  readonly lookup?: LookupFunction;
  /**
   * Connections kept per origin (default 16). Keep it at least the session's
   * `maxConnectionsPerHost`: the scheduler enforces that limit, and a request waiting inside
   * undici for a free connection would burn its idle timeout.
   */
  readonly connectionsPerOrigin?: number;
}

/** A Transport on undici, with the agent it owns. */
export interface UndiciTransport extends Transport {
  /** Destroys the agent: attempts still running fail with `ConnectionFailed`; later ones too. */
  close(): Promise<void>;
}

const capabilities: TransportCapabilities = {
  setsAcceptEncoding: true,
  seesValidators: true,
  manualRedirects: true,
  reportsUploadProgress: true,
};

/** Framing and connection management are the transport's: these request headers are not passed on. */
const transportOwnedHeaders: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'proxy-connection']);

/**
 * The largest response head read. Undici's default (16 KiB, Node's --max-http-header-size) fails
 * heads that browsers read (long CSP or Set-Cookie fields), and failed them forever, as a
 * retryable ConnectionFailed; Chrome allows 256 KiB.
 */
const maxHeaderSize = 256 * 1024;

const defaultLookup: LookupFunction = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * A Transport for Node on undici: one request per attempt, no redirect followed, the body neither
 * decoded nor buffered (the next chunk is read from the socket when the consumer asks), request
 * bodies streamed with their exact `Content-Length`, and every failure classified as a
 * `BgSessionError`. Call `close()` when the session is done with it. Throws `InvalidConfiguration`
 * (its `field` the key) for an option it cannot honour.
 *
 * @example
 * ```ts
 * import { createUndiciTransport } from '@bgsession/node';
 *
 * const transport = createUndiciTransport({ ssrfGuard: true });
 * const response = await transport.start({
 *   url: 'https://example.com/file.bin',
 *   method: 'GET',
 *   headers: { 'accept-encoding': 'identity' },
 *   body: null,
 *   signal: new AbortController().signal,
 * });
 * for await (const chunk of response.body) console.log(response.head.status, chunk.byteLength);
 * await transport.close();
 * ```
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const problem = undiciOptionProblem(options as Readonly<Record<string, unknown>>);
  if (problem !== null) throw new BgSessionError('InvalidConfiguration', `createUndiciTransport: ${problem.key}: ${problem.message}.`, { field: problem.key });
  const connectionsPerOrigin = options.connectionsPerOrigin ?? 16;
  const userAgent = options.userAgent === undefined ? 'bgsession' : options.userAgent;
  const ssrfGuard = options.ssrfGuard ?? false;
  const dispatcher = createDispatcher(options, connectionsPerOrigin, ssrfGuard);
  const reuse = trackConnectionReuse();
  let closed = false;

  function start(request: AttemptRequest): Promise<AttemptResponse> {
    if (closed) return Promise.reject(new BgSessionError('ConnectionFailed', 'The transport is closed.', { bodyMayHaveBeenSent: false }));
    const target = parseTarget(request.url);
    if (target instanceof BgSessionError) return Promise.reject(target);
    const refusal = ssrfGuard ? refuseForbiddenHost(target.hostname) : null;
    if (refusal !== null) return Promise.reject(refusal);
    return startUndiciAttempt(
      dispatcher,
      {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: request.method,
        headers: requestHeaders(request.headers, request.body?.length ?? null, userAgent),
        body: request.body === null ? null : exactLengthBody(request.body, request.onBodySent),
        signal: request.signal,
      },
      reuse,
    );
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    reuse.close();
    await dispatcher.destroy().catch(() => undefined);
  }

  return { capabilities, start, close };
}

function createDispatcher(options: UndiciTransportOptions, connections: number, ssrfGuard: boolean): Dispatcher {
  const lookup = ssrfGuard ? guardLookup(options.lookup ?? defaultLookup) : options.lookup;
  const tls = {
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    ...(options.ca === undefined ? {} : { ca: typeof options.ca === 'string' ? options.ca : [...options.ca] }),
  };
  const agentOptions = {
    connections,
    // Idle timeouts are the pump's (timeoutForRequest): undici's own would race them.
    headersTimeout: 0,
    bodyTimeout: 0,
    maxHeaderSize,
    connect: { ...tls, ...(lookup === undefined ? {} : { lookup }) },
  };
  // No redirect interceptor is composed: a 3xx comes back to the core as is (manualRedirects).
  const proxies = (options.proxyFromEnvironment ?? true) ? environmentProxies(process.env) : null;
  // With no proxy set, a plain agent: undici's proxy agent would still read NO_PROXY from the
  // environment at every request (0.5% of B3's CPU) to choose the agent it goes to anyway.
  if (proxies !== null && (proxies.http !== null || proxies.https !== null)) {
    // Through a proxy, undici builds the tunnelled TLS connection from `requestTls`, not `connect`.
    // The proxies are given explicitly ('' for none) so undici does not read the variables again.
    const create = (http: EnvironmentProxy | null, https: EnvironmentProxy | null): Dispatcher =>
      new EnvHttpProxyAgent({ ...agentOptions, requestTls: tls, httpProxy: http?.url ?? '', httpsProxy: https?.url ?? '' });
    try {
      return create(proxies.http, proxies.https);
    } catch (error) {
      // Undici's error may carry the URL, credentials included: it is not passed on.
      const refused = [proxies.https, proxies.http].find((proxy) => proxy !== null && refuses(() => create(proxy, null)));
      if (refused === undefined || refused === null) throw error;
      throw unusableProxy(refused);
    }
  }
  return new Agent(agentOptions);
}

/** Whether undici refuses the dispatcher `create` makes (one proxy alone, to tell which it refused). */
function refuses(create: () => Dispatcher): boolean {
  try {
    void create().destroy().catch(() => undefined);
    return false;
  } catch {
    return true;
  }
}

function parseTarget(url: string): URL | BgSessionError {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    return new BgSessionError('InvalidUrl', 'The request URL is not an absolute URL.', { field: 'url', cause, bodyMayHaveBeenSent: false });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return new BgSessionError('InvalidUrl', `The request URL's scheme ${parsed.protocol} is not http: or https:.`, { field: 'url', bodyMayHaveBeenSent: false });
  }
  if (parsed.hostname === '') {
    return new BgSessionError('InvalidUrl', 'The request URL has no host.', { field: 'url', bodyMayHaveBeenSent: false });
  }
  return parsed;
}

function requestHeaders(headers: HeaderMap, contentLength: number | null, userAgent: string | null): Record<string, string> {
  const shaped: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!transportOwnedHeaders.has(key)) shaped[key] = value;
  }
  if (userAgent !== null && shaped['user-agent'] === undefined) shaped['user-agent'] = userAgent;
  if (contentLength !== null) shaped['content-length'] = String(contentLength);
  return shaped;
}
