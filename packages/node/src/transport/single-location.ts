import type { IncomingHttpHeaders } from 'node:http';
import { BgSessionError } from '@bgsession/core';

/** The statuses the core follows (its redirect decision's): only there is Location a target. */
const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * The headers of a response with at most one redirect target. Undici gives repeated fields as an
 * array, which would reach the core joined with ", " and be followed as one URL (`/b, /c`). A
 * redirect repeating the same Location names one target: it is kept once. One naming different
 * targets is a final `RedirectRefused`, as Chrome's ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION: which
 * one the server meant cannot be told. Other responses are returned as they are.
 *
 * @example
 * ```ts
 * singleLocation(302, { location: ['/b', '/b'] }); // { location: '/b' }
 * singleLocation(302, { location: ['/b', '/c'] }); // BgSessionError RedirectRefused
 * singleLocation(200, { location: ['/b', '/c'] }); // unchanged
 * ```
 */
export function singleLocation(status: number, headers: IncomingHttpHeaders): IncomingHttpHeaders | BgSessionError {
  // Node's type says a string; undici gives an array for a field sent twice.
  const location: unknown = headers['location'];
  if (!redirectStatuses.has(status) || !Array.isArray(location)) return headers;
  const targets = new Set(location);
  if (targets.size > 1) {
    return new BgSessionError('RedirectRefused', `The response has ${targets.size} different Location headers: a redirect must name one target.`, { bodyMayHaveBeenSent: true });
  }
  // A spread defines, never assigns: a `__proto__` header stays an own field.
  return { ...headers, location: String(location[0]) };
}
