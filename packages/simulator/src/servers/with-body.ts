import type { BodySource } from './body-source.js';
import type { RespondPlan } from './response-plan.js';

/**
 * A plan's body replaced (a range of it, another version), with a Content-Length that matches
 * when the framing announces one.
 *
 * @example
 * ```ts
 * withBody(respond(200, { body: 'abc' }), bytesBody('abcdef')).headers['content-length']; // '6'
 * ```
 */
export function withBody(plan: RespondPlan, body: BodySource): RespondPlan {
  const headers: Record<string, string> = { ...plan.headers };
  if (plan.framing === 'length') headers['content-length'] = String(body.length);
  return { ...plan, body, headers };
}
