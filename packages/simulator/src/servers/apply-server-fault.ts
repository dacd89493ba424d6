import { parseContentRange } from '@bgsession/core';
import { sliceBody } from './slice-body.js';
import { formatHttpDate } from './http-date-format.js';
import { respond } from './respond.js';
import { withBody } from './with-body.js';
import { withFraming } from './with-framing.js';
import type { RespondPlan, ResponsePlan } from './response-plan.js';
import type { ServerFault } from './server-fault.js';
import type { SimResource } from './sim-resource.js';

/** What applying a fault may need besides the plan. */
export interface FaultContext {
  /** The compliant answer now (after a `newVersion`, for the new version). */
  compliant(overrides?: { readonly ignoreRange?: boolean }): ResponsePlan;
  /** The route's file, or null. */
  readonly resource: SimResource | null;
  /** The server's wall clock, ms. */
  readonly now: number;
}

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  410: 'Gone',
  416: 'Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Applies one {@link ServerFault} to the plan a route was about to answer. Faults that shape a
 * body (`cut`, `rangeShift`...) leave a reset or silence alone.
 *
 * @example
 * ```ts
 * applyServerFault(plan, { type: 'cut', afterBytes: 1024 }, context).cutAfter; // 1024
 * ```
 */
export function applyServerFault(plan: ResponsePlan, fault: ServerFault, context: FaultContext): ResponsePlan {
  switch (fault.type) {
    case 'reset':
    case 'hang':
      return fault;
    case 'status':
      return respond(fault.status, {
        headers: {
          date: formatHttpDate(context.now),
          'content-type': 'text/plain; charset=utf-8',
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
          ...fault.headers,
        },
        body: fault.body ?? `${fault.status} ${reasons[fault.status] ?? 'Error'}`,
      });
    case 'redirect':
      return respond(fault.status ?? 302, { headers: { date: formatHttpDate(context.now), location: fault.location } });
    case 'newVersion':
      context.resource?.update(fault.content);
      return context.compliant();
    case 'ignoreRange':
      return context.compliant({ ignoreRange: true });
    default:
      return plan.type === 'respond' ? shapeResponse(plan, fault, context) : plan;
  }
}

function shapeResponse(plan: RespondPlan, fault: ServerFault, context: FaultContext): RespondPlan {
  switch (fault.type) {
    case 'rangeShift':
      return shiftRange(plan, fault.by, context.resource);
    case 'otherVersion':
      return otherVersion(plan, fault.keepValidator === true, context);
    case 'header': {
      const headers: Record<string, string> = { ...plan.headers };
      if (fault.value === null) delete headers[fault.name.toLowerCase()];
      else headers[fault.name.toLowerCase()] = fault.value;
      return { ...plan, headers };
    }
    case 'encoding':
      return { ...plan, headers: { ...plan.headers, 'content-encoding': fault.coding } };
    case 'cut':
      return { ...plan, cutAfter: Math.max(0, fault.afterBytes) };
    case 'stall':
      return { ...plan, stallAfter: Math.max(0, fault.afterBytes) };
    case 'drip':
      return { ...plan, bytesPerSecond: fault.bytesPerSecond };
    case 'framing':
      return withFraming(plan, fault.framing);
    case 'delay':
      return { ...plan, delay: plan.delay + Math.max(0, fault.ms) };
    default:
      return plan;
  }
}

/** A 206 for a range starting `by` bytes from the one asked, labelled with where it really starts. */
function shiftRange(plan: RespondPlan, by: number, resource: SimResource | null): RespondPlan {
  const range = parseContentRange(plan.headers['content-range']);
  if (plan.status !== 206 || resource === null || range.type !== 'range') return plan;
  const total = resource.content.length;
  const first = Math.min(Math.max(0, range.first + by), Math.max(0, total - 1));
  const shifted = withBody(plan, sliceBody(resource.content, first, total));
  return { ...shifted, headers: { ...shifted.headers, 'content-range': `bytes ${first}-${total - 1}/${total}` } };
}

/** The same range of another version of the file (what a stale cache node would send). */
function otherVersion(plan: RespondPlan, keepValidator: boolean, context: FaultContext): RespondPlan {
  const resource = context.resource;
  if (resource === null) return plan;
  const other = resource.content.nextVersion();
  const range = parseContentRange(plan.headers['content-range']);
  const body = plan.status === 206 && range.type === 'range' ? sliceBody(other, range.first, range.last + 1) : other;
  const replaced = withBody(plan, body);
  if (keepValidator) return replaced;
  const headers: Record<string, string> = { ...replaced.headers };
  const etag = headers['etag'];
  if (etag !== undefined) headers['etag'] = `${etag.startsWith('W/') ? 'W/' : ''}"${other.tag}"`;
  if (headers['last-modified'] !== undefined) headers['last-modified'] = formatHttpDate(context.now);
  return { ...replaced, headers };
}
