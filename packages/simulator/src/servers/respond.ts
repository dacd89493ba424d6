import type { BodySource } from './body-source.js';
import { bytesBody } from './bytes-body.js';
import type { Framing, RespondPlan } from './response-plan.js';
import { withFraming } from './with-framing.js';

/** Options of {@link respond}. */
export interface RespondOptions {
  /** Header names are lower-cased. A Content-Length given here is kept, even when it lies. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Text (UTF-8), bytes, or a lazy source such as a `SimContent`. Empty by default. */
  readonly body?: string | Uint8Array | BodySource;
  /** `length` by default. */
  readonly framing?: Framing;
}

/**
 * A {@link RespondPlan}: status, headers and body, framed as asked, with nothing cut, stalled or
 * slowed (faults change those fields).
 *
 * @example
 * ```ts
 * const plan = respond(503, { headers: { 'retry-after': '120' }, body: 'try later' });
 * plan.headers['content-length']; // '9'
 * ```
 */
export function respond(status: number, options: RespondOptions = {}): RespondPlan {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const given = options.body ?? '';
  const body = typeof given === 'string' || given instanceof Uint8Array ? bytesBody(given) : given;
  return withFraming(
    { type: 'respond', status, headers, body, framing: 'length', cutAfter: null, stallAfter: null, bytesPerSecond: null, delay: 0 },
    options.framing ?? 'length',
  );
}
