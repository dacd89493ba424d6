import { BgSessionError, type Clock } from '@bgsession/core';
import { applyServerFault } from './apply-server-fault.js';
import { formatHttpDate } from './http-date-format.js';
import { respond } from './respond.js';
import type { ResponsePlan } from './response-plan.js';
import type { RouteAnswer, RouteScript } from './route-script.js';
import type { ServerRequest, ServerRequestRecord } from './server-request.js';
import { serveFile } from './serve-file.js';
import type { SimFileOptions } from './sim-file-options.js';
import { createSimResource, type SimResource } from './sim-resource.js';

/** Options of {@link createSimServer}. */
export interface SimServerOptions {
  /** The origin(s) it answers, e.g. `https://files.example` (normalised as `URL.origin`). */
  readonly origin: string | readonly string[];
  /** Dates its responses, ages its files and times its log. */
  readonly clock: Clock;
  /** Request bodies are kept in the log up to this many bytes each (default 1 MiB); longer ones are only counted. */
  readonly recordBodiesUpTo?: number;
}

/** A redirect route. */
export interface SimRedirectOptions {
  /** Where it points (absolute, or relative to the request). */
  readonly location: string;
  /** 302 by default. */
  readonly status?: number;
  /**
   * Issue a new presigned link at every request: `sig` (a counter) and `expires` (seconds since
   * the epoch, `expiresIn` ms from now) are added to the location's query. Serve the target with
   * `signed: true` to refuse expired links.
   */
  readonly presigned?: { readonly expiresIn: number };
  readonly script?: RouteScript;
}

/** An upload route: accepts PUT, POST and PATCH, records the body, answers `status`. */
export interface SimUploadOptions {
  /** 201 by default. */
  readonly status?: number;
  /** The response body, `ok` by default. */
  readonly body?: string;
  readonly script?: RouteScript;
}

/** One request being answered: the plan for the network to play, and its log entry. */
export interface ServerExchange {
  readonly plan: ResponsePlan;
  readonly record: ServerRequestRecord;
  /** Records request-body bytes as they arrive (an empty chunk marks a body of length 0). */
  receiveBody(chunk: Uint8Array): void;
}

/** A simulated HTTP server: routes by path, scripted per attempt, every request logged. */
export interface SimServer {
  readonly origins: readonly string[];
  /** Every request received, in order of arrival. */
  readonly requests: readonly ServerRequestRecord[];
  /** Serves a file at `path`; the returned resource can change version. */
  file(path: string, options: SimFileOptions): SimResource;
  redirect(path: string, options: SimRedirectOptions): void;
  upload(path: string, options?: SimUploadOptions): void;
  /** A route answered by `script` alone; its compliant answer is an empty 200. */
  route(path: string, script: RouteScript): void;
  /** Answers a request whose head just arrived (the network calls it). */
  handle(request: ServerRequest): ServerExchange;
}

interface Route {
  readonly resource: SimResource | null;
  readonly compliant: (request: ServerRequest, now: number, overrides?: { readonly ignoreRange?: boolean }) => ResponsePlan;
  readonly script: RouteScript | undefined;
  attempts: number;
}

/**
 * Creates a {@link SimServer}. Routes match the URL's path exactly (the query is ignored); an
 * unknown path is a 404. Each route's script sees the attempt index (1 for the route's first
 * request) and may answer a plan, ready-made faults, or nothing for the compliant answer.
 *
 * @example
 * ```ts
 * const server = createSimServer({ origin: 'https://files.example', clock });
 * server.file('/big.bin', {
 *   content: generatedContent({ seed: 1, length: 64 * 1024 * 1024 }),
 *   script: faultsByAttempt({ 1: { type: 'cut', afterBytes: 1_000_000 }, 2: { type: 'status', status: 503, retryAfter: '120' } }),
 * });
 * network.addServer(server, { latency: 40, bandwidth: 5_000_000 });
 * ```
 */
export function createSimServer(options: SimServerOptions): SimServer {
  const { clock } = options;
  const origins = (typeof options.origin === 'string' ? [options.origin] : options.origin).map(normaliseOrigin);
  const cap = options.recordBodiesUpTo ?? 1024 * 1024;
  const routes = new Map<string, Route>();
  const unmatched = new Map<string, number>();
  const requests: ServerRequestRecord[] = [];

  function add(path: string, route: Omit<Route, 'attempts'>): void {
    if (!path.startsWith('/')) throw new BgSessionError('InvalidArgument', `A route path starts with '/', not ${JSON.stringify(path)}.`, { field: 'path' });
    routes.set(path, { ...route, attempts: 0 });
  }

  function answer(route: Route, request: ServerRequest, attempt: number): ResponsePlan {
    const now = clock.now();
    const compliant = (overrides?: { readonly ignoreRange?: boolean }): ResponsePlan => route.compliant(request, now, overrides);
    const given: RouteAnswer = route.script?.(request, attempt, { compliant: () => compliant(), resource: route.resource, now });
    if (given === undefined) return compliant();
    if (!Array.isArray(given) && 'type' in given && given.type === 'respond') return given;
    const faults = Array.isArray(given) ? given : [given];
    const context = { compliant, resource: route.resource, now };
    let plan = compliant();
    for (const fault of faults) plan = applyServerFault(plan, fault, context);
    return plan;
  }

  return {
    origins,
    requests,
    file(path, fileOptions) {
      const modifiedAt = clock.now() - (fileOptions.lastModifiedAge ?? 86_400_000);
      const resource = createSimResource(path, fileOptions.content, modifiedAt, clock);
      add(path, { resource, compliant: (request, now, overrides) => serveFile(request, resource, fileOptions, now, overrides), script: fileOptions.script });
      return resource;
    },
    redirect(path, redirectOptions) {
      let issued = 0;
      add(path, {
        resource: null,
        script: redirectOptions.script,
        compliant: (_request, now) => {
          issued += 1;
          const location = redirectOptions.presigned === undefined ? redirectOptions.location : presign(redirectOptions.location, issued, now + redirectOptions.presigned.expiresIn);
          return respond(redirectOptions.status ?? 302, { headers: { date: formatHttpDate(now), location } });
        },
      });
    },
    upload(path, uploadOptions = {}) {
      add(path, {
        resource: null,
        script: uploadOptions.script,
        compliant: (request, now) =>
          ['PUT', 'POST', 'PATCH'].includes(request.method)
            ? respond(uploadOptions.status ?? 201, { headers: { date: formatHttpDate(now), 'content-type': 'text/plain; charset=utf-8' }, body: uploadOptions.body ?? 'ok' })
            : respond(405, { headers: { date: formatHttpDate(now), allow: 'PUT, POST, PATCH' }, body: 'method not allowed' }),
      });
    },
    route(path, script) {
      add(path, { resource: null, script, compliant: () => respond(200) });
    },
    handle(request) {
      const route = routes.get(request.path);
      let attempt: number;
      let plan: ResponsePlan;
      if (route === undefined) {
        attempt = (unmatched.get(request.path) ?? 0) + 1;
        unmatched.set(request.path, attempt);
        plan = respond(404, { headers: { date: formatHttpDate(clock.now()), 'content-type': 'text/plain; charset=utf-8' }, body: 'not found' });
      } else {
        route.attempts += 1;
        attempt = route.attempts;
        plan = answer(route, request, attempt);
      }
      const record: ServerRequestRecord = {
        method: request.method,
        url: request.url,
        path: request.path,
        headers: { ...request.headers },
        sequence: requests.length + 1,
        route: route === undefined ? null : request.path,
        attempt,
        at: clock.monotonic(),
        status: plan.type === 'respond' ? plan.status : null,
        body: null,
        bodyLength: 0,
        bytesSent: 0,
        outcome: 'pending',
      };
      requests.push(record);
      const chunks: Uint8Array[] = [];
      return {
        plan,
        record,
        receiveBody(chunk) {
          record.bodyLength += chunk.byteLength;
          if (record.bodyLength > cap) {
            chunks.length = 0;
            record.body = null;
            return;
          }
          chunks.push(chunk.slice());
          record.body = concat(chunks, record.bodyLength);
        },
      };
    },
  };
}

function normaliseOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // reported below
  }
  throw new BgSessionError('InvalidArgument', `A server origin is an http(s) origin, not ${JSON.stringify(origin)}.`, { field: 'origin' });
}

function presign(location: string, sequence: number, expiresAt: number): string {
  const url = new URL(location);
  url.searchParams.set('sig', String(sequence));
  url.searchParams.set('expires', String(Math.floor(expiresAt / 1000)));
  return url.toString();
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
