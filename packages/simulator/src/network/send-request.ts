import { BgSessionError, parseContentLength, type AttemptResponse, type HeaderMap, type RequestBody, type TransportCapabilities } from '@bgsession/core';
import type { RespondPlan } from '../servers/response-plan.js';
import type { ServerExchange } from '../servers/sim-server.js';
import type { AttemptRun } from './attempt-run.js';
import type { ConnectionPool, SimConnection } from './connection-pool.js';
import type { HostState } from './host-state.js';
import type { NetworkContext } from './network-context.js';
import { SimBody } from './sim-body.js';
import { sendRequestBody } from './send-request-body.js';

/** One request on the wire, headers already shaped by the transport. */
export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: HeaderMap;
  readonly body: RequestBody | null;
  readonly onBodySent: ((totalSent: number) => void) | null;
}

/** The side of a transport a hop uses. */
export interface TransportSide {
  readonly id: number;
  readonly pool: ConnectionPool;
  readonly capabilities: TransportCapabilities;
}

/** Headers a transport that cannot see validators (cross-origin fetch without exposed headers) never shows. */
const validatorHeaders = ['etag', 'last-modified', 'content-range'];

const MiB = 1024 * 1024;

/**
 * Carries one request over the virtual network: a kept-alive connection or a new one (DNS, offline,
 * refusal and connection set-up on the way), the request and its body at the upload rate, the
 * server's plan (or a reset the network injects), then the head after the server's delay and
 * half a round trip. Resolves with the head and a {@link SimBody}; rejects with a classified
 * `BgSessionError`, which the run also records.
 */
export async function sendRequest(context: NetworkContext, transport: TransportSide, hop: HopRequest, run: AttemptRun): Promise<AttemptResponse> {
  const host = context.host(hop.url.hostname);
  const { connection, stale } = await acquire(context, transport, hop, host, run);
  // `acquire` resolved, so the host exists.
  const link = host as HostState;
  const latency = link.options.latency;
  connection.requests += 1;
  run.connection = connection.id;
  run.requestStarted = true;
  context.record({ at: context.clock.monotonic(), type: 'request', transport: transport.id, connection: connection.id, reused: run.reused, method: hop.method, url: hop.url.href });
  const fields = { bodyMayHaveBeenSent: true, reusedConnection: run.reused };
  let keepAlive = false;
  run.onEnd((outcome) => {
    if (outcome === 'complete' && keepAlive) transport.pool.put(connection, context.clock.monotonic());
  });

  await run.wait(latency / 2);
  if (stale) {
    await run.wait(latency / 2);
    throw run.fail(new BgSessionError('ConnectionFailed', 'The kept-alive connection was reset: the server had closed it.', fields), 'reset', 'stale');
  }
  const server = link.servers.get(hop.url.origin);
  if (server === undefined || link.takeFault('reset') !== undefined || context.chance(link.options.resetRate)) {
    await run.wait(latency / 2);
    throw run.fail(new BgSessionError('ConnectionFailed', 'The connection was reset before the response.', fields), 'reset', 'reset');
  }

  const exchange = server.handle({ method: hop.method, url: hop.url.href, path: hop.url.pathname, headers: hop.headers });
  run.onEnd((outcome) => {
    if (exchange.record.outcome === 'pending') exchange.record.outcome = outcome;
  });
  const plan = exchange.plan;
  const reset = async (): Promise<never> => {
    await run.wait(latency / 2);
    throw run.fail(new BgSessionError('ConnectionFailed', 'The server reset the connection.', fields), 'reset', 'reset');
  };
  if (plan.type === 'reset' && plan.afterRequestBody !== true) return reset();
  if (hop.body !== null) await sendRequestBody(context, link, hop.body, hop.onBodySent, transport.capabilities.reportsUploadProgress, run, exchange);
  if (plan.type === 'reset') return reset();
  if (plan.type === 'hang') return run.waitForever();

  await run.wait(plan.delay + latency / 2);
  run.check();
  const head = { status: plan.status, headers: visibleHeaders(plan.headers, transport.capabilities), reusedConnection: run.reused };
  const framingLength = parseContentLength(plan.headers['content-length']);
  if (plan.framing === 'length' && framingLength === 'invalid') {
    throw run.fail(new BgSessionError('ConnectionFailed', 'The response had an invalid Content-Length.', fields), 'reset', 'reset');
  }
  run.responseStarted = true;
  context.record({ at: context.clock.monotonic(), type: 'response', connection: connection.id, status: plan.status });
  const target = hasNoBody(hop.method, plan.status) ? 0 : plan.framing === 'length' && typeof framingLength === 'number' ? framingLength : plan.body.length;
  keepAlive = plan.framing !== 'close' && plan.headers['connection']?.toLowerCase() !== 'close' && plan.cutAfter === null && (target === 0 || plan.body.length === target);
  return { head, body: startBody(context, link, run, exchange, plan, target) };
}

async function acquire(
  context: NetworkContext,
  transport: TransportSide,
  hop: HopRequest,
  host: HostState | undefined,
  run: AttemptRun,
): Promise<{ readonly connection: SimConnection; readonly stale: boolean }> {
  const now = context.clock.monotonic();
  const origin = hop.url.origin;
  const kept = host === undefined ? null : transport.pool.take(origin, now);
  if (kept !== null && host !== undefined) {
    run.reused = true;
    const stale = now - kept.lastUsed >= host.options.serverIdleTimeout || host.takeFault('staleReset') !== undefined || context.chance(host.options.staleResetRate);
    return { connection: kept, stale };
  }
  const unsent = { bodyMayHaveBeenSent: false, reusedConnection: false };
  if (!context.state().online) {
    throw run.fail(new BgSessionError('ConnectionFailed', 'The network is offline.', unsent), 'reset', 'offline');
  }
  if (host === undefined || host.servers.size === 0 || host.inPeriod('dnsFailure', now) || host.takeFault('dnsFailure') !== undefined) {
    await run.wait(context.dnsLatency);
    throw run.fail(new BgSessionError('DnsFailure', `The name ${hop.url.hostname} did not resolve.`, unsent), 'reset', 'dns');
  }
  const latency = host.options.latency;
  if (!host.servers.has(origin) || host.inPeriod('hostDown', now) || host.takeFault('refuse') !== undefined) {
    await run.wait(latency);
    throw run.fail(new BgSessionError('ConnectionFailed', `The connection to ${origin} was refused.`, unsent), 'reset', 'refused');
  }
  // TCP costs a round trip, TLS another.
  await run.wait(hop.url.protocol === 'https:' ? 2 * latency : latency);
  run.check();
  const connection: SimConnection = { id: context.nextConnectionId(), origin, hostname: host.hostname, lastUsed: context.clock.monotonic(), requests: 0 };
  context.record({ at: context.clock.monotonic(), type: 'connect', transport: transport.id, connection: connection.id, origin });
  return { connection, stale: false };
}

function startBody(context: NetworkContext, host: HostState, run: AttemptRun, exchange: ServerExchange, plan: RespondPlan, target: number): SimBody {
  const available = Math.min(plan.body.length, plan.cutAfter ?? Number.POSITIVE_INFINITY);
  const queued = host.takeFault('drop');
  const dropAt = queued !== undefined ? Math.max(0, queued.afterBytes) : randomDrop(context, host.options.dropRate, Math.min(available, target));
  context.bodyStarted(host);
  run.onEnd(() => context.bodyEnded(host));
  return new SimBody(context, host, run, exchange.record, {
    source: plan.body,
    target,
    available: target === 0 ? 0 : available,
    closeDelimited: plan.framing === 'close',
    stallAfter: plan.stallAfter,
    dropAt,
    bytesPerSecond: plan.bytesPerSecond,
  });
}

/** Where a body of `length` bytes is cut at `dropRate` drops per MiB (exponential spacing), or null. */
function randomDrop(context: NetworkContext, dropRate: number, length: number): number | null {
  if (!(dropRate > 0) || length <= 0) return null;
  const distance = (-Math.log(1 - context.random.next()) / dropRate) * MiB;
  return distance < length ? Math.floor(distance) : null;
}

/** RFC 9112 6.3: HEAD responses, 1xx, 204 and 304 have no body whatever their headers say. */
function hasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || status < 200 || status === 204 || status === 304;
}

function visibleHeaders(headers: Readonly<Record<string, string>>, capabilities: TransportCapabilities): Record<string, string> {
  const visible: Record<string, string> = { ...headers };
  if (!capabilities.seesValidators) for (const name of validatorHeaders) delete visible[name];
  return visible;
}
