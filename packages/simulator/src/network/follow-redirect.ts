import { BgSessionError, type ResponseHead } from '@bgsession/core';
import type { HopRequest } from './send-request.js';

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Credentials a browser drops when a redirect leaves the origin (Fetch standard, HTTP-redirect fetch). */
const crossOriginDropped = ['authorization', 'cookie', 'proxy-authorization'];

/** Whether a response is a redirect a browser's fetch follows. */
export function isRedirect(head: ResponseHead): boolean {
  return redirectStatuses.has(head.status) && head.headers['location'] !== undefined;
}

/**
 * The next request of a redirect chain as a browser's fetch makes it: 303 (and 301 or 302 after a
 * POST) becomes a GET without a body; a new origin loses Authorization and Cookie; only http(s)
 * targets are followed.
 *
 * @example
 * ```ts
 * followRedirect(hop, { status: 303, headers: { location: '/done' } }).method; // 'GET'
 * ```
 */
export function followRedirect(request: HopRequest, head: ResponseHead): HopRequest {
  let url: URL;
  try {
    url = new URL(head.headers['location'] ?? '', request.url);
  } catch (cause) {
    throw new BgSessionError('RedirectRefused', 'The redirect location is not a URL.', { cause, bodyMayHaveBeenSent: true });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BgSessionError('RedirectRefused', `A redirect to ${url.protocol} is not followed.`, { bodyMayHaveBeenSent: true });
  }
  const toGet = (head.status === 303 && request.method !== 'HEAD') || ((head.status === 301 || head.status === 302) && request.method === 'POST');
  const headers: Record<string, string> = { ...request.headers };
  if (toGet) {
    for (const name of Object.keys(headers)) if (name.startsWith('content-')) delete headers[name];
  }
  if (url.origin !== request.url.origin) for (const name of crossOriginDropped) delete headers[name];
  return {
    url,
    method: toGet ? 'GET' : request.method,
    headers,
    body: toGet ? null : request.body,
    onBodySent: request.onBodySent,
  };
}
