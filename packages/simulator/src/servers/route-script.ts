import type { ResponsePlan } from './response-plan.js';
import type { ServerFault } from './server-fault.js';
import type { ServerRequest } from './server-request.js';
import type { SimResource } from './sim-resource.js';

/** What a script may answer: a whole plan, one fault or faults applied in order, or nothing (compliant). */
export type RouteAnswer = ResponsePlan | ServerFault | readonly ServerFault[] | undefined;

/** What a script can use to answer. */
export interface RouteContext {
  /** The answer of a compliant server now (for a file: Range, If-Range and validators honoured). */
  compliant(): ResponsePlan;
  /** The route's file, or null for other routes. */
  readonly resource: SimResource | null;
  /** The server's wall clock, ms. */
  readonly now: number;
}

/**
 * Decides how a route answers one request, from the request and its attempt index (1 for the
 * route's first request). Scripts are called in request order, so a counter in a closure is
 * deterministic.
 */
export type RouteScript = (request: ServerRequest, attempt: number, context: RouteContext) => RouteAnswer;
