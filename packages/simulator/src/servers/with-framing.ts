import type { Framing, RespondPlan } from './response-plan.js';

/**
 * The plan with `framing` and the headers that announce it: `length` keeps a Content-Length
 * already there (or sets the body's), `chunked` sends Transfer-Encoding, `close` sends neither
 * and `connection: close`.
 *
 * @example
 * ```ts
 * withFraming(respond(200, { body: 'abc' }), 'close').headers; // { connection: 'close' }
 * ```
 */
export function withFraming(plan: RespondPlan, framing: Framing): RespondPlan {
  const headers: Record<string, string> = { ...plan.headers };
  delete headers['transfer-encoding'];
  if (framing === 'length') {
    headers['content-length'] ??= String(plan.body.length);
  } else {
    delete headers['content-length'];
    if (framing === 'chunked') headers['transfer-encoding'] = 'chunked';
    else headers['connection'] = 'close';
  }
  return { ...plan, framing, headers };
}
