import type { RedirectPolicy } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import { alwaysSensitiveHeaders, stripSensitiveHeaders } from './sensitive-headers.js';

/** What `redirectDecision` needs. */
export interface RedirectInput {
  /** The request that got the 3xx (the task's current request). */
  readonly from: HttpRequest;
  readonly status: number;
  /** The raw `Location` header, if any. */
  readonly location: string | undefined;
  /** Redirects already followed in this chain (the task's `redirectCount`). */
  readonly hops: number;
  readonly policy: RedirectPolicy;
  /** The session's `sensitiveHeaders`; Authorization, Cookie and Proxy-Authorization are always added. */
  readonly sensitiveHeaders: readonly string[];
}

/** What to do with a response to `redirectDecision`'s request. */
export type RedirectDecision =
  /**
   * Send `request` next. `bodyDropped`: a 301/302/303 turned the method into GET, so the request
   * body (upload or data task body) must not be sent.
   */
  | { readonly type: 'follow'; readonly request: HttpRequest; readonly bodyDropped: boolean }
  /** The policy refuses the redirect; the task fails with `code`. */
  | { readonly type: 'refuse'; readonly code: 'RedirectRefused' | 'InvalidUrl'; readonly message: string }
  /** Not a redirect to follow (another status, or a 3xx without Location): the response stands. */
  | { readonly type: 'notRedirect' };

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that describe a request body; they go when the body goes (Fetch "request-body-header name"). */
const bodyHeaders: readonly string[] = ['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location'];

/**
 * Decides whether and how to follow a redirect (semantics section 1, invariant #21).
 *
 * - 301 and 302 turn a POST into a GET, 303 turns anything but HEAD into a GET, dropping the body
 *   and its headers; 307 and 308 keep method and body.
 * - Only http and https targets: `file:`, `data:`, `javascript:`, Unix sockets and the like are
 *   refused, as is a target with user:password (a server cannot hand itself credentials the app
 *   did not give), https to http unless the policy allows it, a cross-origin target unless it
 *   allows that, and more than `maxHops` hops (which also ends loops).
 * - A relative Location is resolved against the current URL.
 * - When the origin changes, credentials and the app's sensitive headers are stripped, and stay
 *   stripped if the chain comes back (A to B to A), so a server never receives a secret meant
 *   for another.
 *
 * @example
 * ```ts
 * redirectDecision({
 *   from: { url: 'https://a.example/file', method: 'GET', headers: { authorization: 'Bearer t' } },
 *   status: 302, location: 'https://b.example/file', hops: 0,
 *   policy: { maxHops: 20, allowCrossOrigin: true, allowHttpsToHttp: false }, sensitiveHeaders: [],
 * });
 * // { type: 'follow', request: { url: 'https://b.example/file', method: 'GET', headers: {} }, bodyDropped: false }
 * ```
 */
export function redirectDecision(input: RedirectInput): RedirectDecision {
  const { from, status, location, hops, policy } = input;
  if (!redirectStatuses.has(status) || location === undefined || location.trim() === '') return { type: 'notRedirect' };

  const current = parseUrl(from.url);
  if (current === null) return refuse('InvalidUrl', `the current URL is not valid: ${from.url}`);
  const target = parseUrl(location.trim(), current);
  if (target === null) return refuse('InvalidUrl', `the redirect Location is not a valid URL: ${location}`);
  if (hops + 1 > policy.maxHops) {
    return refuse('RedirectRefused', `more than ${policy.maxHops} redirects (hop limit)`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return refuse('RedirectRefused', `redirect to a ${target.protocol} URL; only http and https are followed`);
  }
  if (target.username !== '' || target.password !== '') {
    return refuse('RedirectRefused', 'redirect to a URL carrying credentials');
  }
  if (current.protocol === 'https:' && target.protocol === 'http:' && !policy.allowHttpsToHttp) {
    return refuse('RedirectRefused', 'redirect from https to http (allowHttpsToHttp is false)');
  }
  const crossOrigin = target.origin !== current.origin;
  if (crossOrigin && !policy.allowCrossOrigin) {
    return refuse('RedirectRefused', `cross-origin redirect to ${target.origin} (allowCrossOrigin is false)`);
  }

  const toGet =
    ((status === 301 || status === 302) && from.method === 'POST') ||
    (status === 303 && from.method !== 'GET' && from.method !== 'HEAD');
  let headers = from.headers;
  if (toGet) headers = stripSensitiveHeaders(headers, bodyHeaders);
  // `host` named the old origin; sent to the new one it would ask it for the wrong site.
  if (crossOrigin) headers = stripSensitiveHeaders(headers, [...alwaysSensitiveHeaders, ...input.sensitiveHeaders, 'host']);
  return {
    type: 'follow',
    request: { url: target.href, method: toGet ? 'GET' : from.method, headers },
    bodyDropped: toGet,
  };
}

function parseUrl(text: string, base?: URL): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}

function refuse(code: 'RedirectRefused' | 'InvalidUrl', message: string): RedirectDecision {
  return { type: 'refuse', code, message };
}
