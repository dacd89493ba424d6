import { ifRangeValue } from '../policy/validator.js';
import { resumeRequestHeaders } from '../policy/resume-decision.js';
import { stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import { sameOrigin } from './origin-of.js';
import type { HeaderMap, HttpRequest, Validator } from '../model/http.js';
import type { TaskRecord } from '../model/task-types.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * The headers one request of an attempt carries: session defaults under the task's own, secrets,
 * resume headers. `chainLeftOrigin` says whether a redirect of this attempt's chain has already
 * gone to another origin: secrets then stay off for the rest of the chain, even back at the
 * original origin (A to B to A), since B chose where they would go.
 */
export function attemptHeaders(
  runtime: SessionRuntime,
  record: TaskRecord,
  request: HttpRequest,
  kept: { readonly offset: number; readonly validator: Validator | null },
  chainLeftOrigin = false,
): HeaderMap {
  const original = !chainLeftOrigin && sameOrigin(request.url, record.originalRequest.url);
  const { additionalHeaders, sensitiveHeaders } = runtime.configuration;
  // The session's additional headers may hold credentials too (Apple's httpAdditionalHeaders
  // pattern): after a redirect to another origin they go without them (#21).
  const defaults = original ? additionalHeaders : stripSensitiveHeaders(additionalHeaders, sensitiveHeaders);
  const headers: Record<string, string> = { ...defaults, ...request.headers };
  // Secrets the app gave at creation (never persisted) go only to the origin they were meant for (#21).
  if (original) {
    const secrets = runtime.secrets.get(record.taskIdentifier);
    if (secrets !== undefined) Object.assign(headers, secrets);
  }
  if (record.kind === 'download') Object.assign(headers, resumeRequestHeaders(kept, runtime.ports.transport.capabilities));
  return headers;
}

/** Whether kept bytes can be resumed at all: a strong validator is required (invariant #8). */
export function canResumeFrom(validator: Validator | null): boolean {
  return ifRangeValue(validator) !== null;
}
