import { parseHttpDate } from '@bgsession/core';
import { sliceBody } from './slice-body.js';
import { formatHttpDate } from './http-date-format.js';
import { parseRangeHeader } from './range-header.js';
import { respond } from './respond.js';
import { withFraming } from './with-framing.js';
import type { RespondPlan } from './response-plan.js';
import type { ServerRequest } from './server-request.js';
import type { SimFileOptions } from './sim-file-options.js';
import type { SimResource } from './sim-resource.js';

/** Per-request departures from the file's options (the `ignoreRange` fault). */
export interface ServeFileOverrides {
  readonly ignoreRange?: boolean;
}

const unsatisfiableBody = '<html><body><h1>416 Range Not Satisfiable</h1></body></html>';

/**
 * What a compliant server answers for a file (RFC 9110 sections 13.1.5 and 14): GET and HEAD
 * only (405 otherwise); a presigned target refuses a missing or past `expires` (403); `Range`
 * honoured when ranges are supported and `If-Range` is absent or matches (a strong ETag compared
 * strongly, or exactly the Last-Modified date), 416 with `bytes *\/length` past the end; 200 with
 * the whole content otherwise. Every answer carries `Date` = `now`.
 *
 * @example
 * ```ts
 * const plan = serveFile({ method: 'GET', url, path: '/a.bin', headers: { range: 'bytes=5-' } }, resource, { content }, clock.now());
 * plan.status; // 206
 * ```
 */
export function serveFile(request: ServerRequest, resource: SimResource, options: SimFileOptions, now: number, overrides: ServeFileOverrides = {}): RespondPlan {
  const date = formatHttpDate(now);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return respond(405, { headers: { date, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'method not allowed' });
  }
  if (options.signed === true && !signatureValid(request.url, now)) {
    return respond(403, { headers: { date, 'content-type': 'application/xml' }, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
  }
  const content = resource.content;
  const validators = validatorHeaders(resource, options);
  const ranges = options.ranges !== 'ignored' && overrides.ignoreRange !== true;
  const headers: Record<string, string> = {
    date,
    'content-type': options.contentType ?? 'application/octet-stream',
    'accept-ranges': ranges ? 'bytes' : 'none',
    ...validators,
  };
  if (options.contentDisposition !== undefined) headers['content-disposition'] = options.contentDisposition;
  if (options.contentEncoding !== undefined && accepts(request.headers['accept-encoding'], options.contentEncoding)) {
    headers['content-encoding'] = options.contentEncoding;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;

  const finish = (plan: RespondPlan): RespondPlan => {
    const framed = withFraming(plan, options.framing ?? 'length');
    return options.bytesPerSecond === undefined ? framed : { ...framed, bytesPerSecond: options.bytesPerSecond };
  };
  const whole = (): RespondPlan => finish(respond(200, { headers, body: content }));
  const rangeHeader = request.headers['range'];
  if (!ranges || rangeHeader === undefined) return whole();
  const ifRange = request.headers['if-range'];
  if (ifRange !== undefined && !ifRangeMatches(ifRange, validators)) return whole();
  const range = parseRangeHeader(rangeHeader, content.length);
  if (range === 'ignore') return whole();
  if (range === 'unsatisfiable') {
    // The 416's own body is an HTML page, as real servers send: it must never land in the file.
    return respond(416, { headers: { ...headers, 'content-range': `bytes */${content.length}`, 'content-type': 'text/html' }, body: unsatisfiableBody });
  }
  return finish(
    respond(206, {
      headers: { ...headers, 'content-range': `bytes ${range.first}-${range.last}/${content.length}` },
      body: sliceBody(content, range.first, range.last + 1),
    }),
  );
}

/** The ETag header value of a resource under the given validator kind, or null. */
function entityTag(resource: SimResource, kind: SimFileOptions['validator']): string | null {
  if (kind === 'etag' || kind === undefined) return `"${resource.content.tag}"`;
  if (kind === 'weakEtag') return `W/"${resource.content.tag}"`;
  return null;
}

function validatorHeaders(resource: SimResource, options: SimFileOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const etag = entityTag(resource, options.validator);
  if (etag !== null) headers['etag'] = etag;
  if (options.validator !== 'none') headers['last-modified'] = formatHttpDate(resource.modifiedAt);
  return headers;
}

/** RFC 9110 13.1.5: an entity tag matches only strongly; a date only when it is exactly Last-Modified. */
function ifRangeMatches(ifRange: string, validators: Record<string, string>): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    const etag = validators['etag'];
    return etag !== undefined && !etag.startsWith('W/') && etag === value;
  }
  const lastModified = parseHttpDate(validators['last-modified']);
  return lastModified !== null && parseHttpDate(value) === lastModified;
}

/** Whether an Accept-Encoding value allows `coding` (RFC 9110 12.5.3; no header allows anything). */
function accepts(acceptEncoding: string | undefined, coding: string): boolean {
  if (acceptEncoding === undefined) return true;
  let wildcard = false;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name === coding.toLowerCase()) return allowed;
    if (name === '*') wildcard = allowed;
  }
  return wildcard;
}

function signatureValid(url: string, now: number): boolean {
  const match = /[?&]expires=(\d{1,15})(?:&|$)/.exec(url);
  return match !== null && Number(match[1]) * 1000 >= now;
}
