import type { HeaderMap, ResponseHead, Validator } from '../model/http.js';
import type { RestartReason } from '../model/task-types.js';
import type { TransportCapabilities } from '../ports/transport.js';
import { parseContentLength, parseContentRange } from './content-range.js';
import { ifRangeValue, validatorFromResponse, validatorMatchesResponse } from './validator.js';

/** What an attempt of a download sent, as far as resuming goes. */
export interface ResumeSent {
  /** Bytes kept (the trusted offset); 0 when nothing is kept. */
  readonly offset: number;
  /** The validator the kept bytes were fetched under. */
  readonly validator: Validator | null;
  /** The full length recorded with the kept bytes, or null when unknown. */
  readonly expectedLength: number | null;
  /** Whether `Range` (and so `If-Range`) went out, as `resumeRequestHeaders` decided. */
  readonly rangeSent: boolean;
}

/** What to do with a download response (semantics section 5). */
export type ResumeDecision =
  /** The body continues the kept bytes at `offset`. `expectedLength` is the known total, if any. */
  | { readonly type: 'append'; readonly expectedLength: number | null }
  /**
   * The kept bytes are dropped. First checkpoint `(0, validator)` durably, then: with `useBody`
   * (a 200) write this body from byte 0; without it (a 206 or 416 that cannot be used) drop the
   * body too and end the attempt so a new one starts from 0.
   */
  | {
      readonly type: 'restart';
      readonly reason: RestartReason;
      readonly validator: Validator | null;
      readonly expectedLength: number | null;
      readonly useBody: boolean;
    }
  /** Nothing was kept and this 200 is the content from byte 0. */
  | { readonly type: 'fresh'; readonly validator: Validator | null; readonly expectedLength: number | null }
  /** A 416 saying the kept bytes are already the whole content: nothing to write. */
  | { readonly type: 'done' }
  /** Not a body to write (not a 2xx, nor a usable 206 or 416): the caller classifies the status. */
  | { readonly type: 'fail' };

/**
 * Decides what a download response's body is, from what the attempt sent and the response head.
 *
 * A 206 is appended only when everything that makes a splice safe holds: a single range starting
 * exactly at the offset, the same total, the validator that was sent in If-Range, no content
 * coding, and a Content-Length that agrees with the range. Anything else throws the kept bytes
 * away rather than risk a file that is half one version and half another (invariant #6).
 *
 * @example
 * ```ts
 * const capabilities = { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true };
 * const sent = { offset: 100, validator: { type: 'etag', value: '"v1"', weak: false }, expectedLength: 1000, rangeSent: true } as const;
 * decideResume(sent, { status: 206, headers: { etag: '"v1"', 'content-range': 'bytes 100-999/1000' } }, capabilities);
 * // { type: 'append', expectedLength: 1000 }
 * decideResume(sent, { status: 200, headers: { etag: '"v1"' } }, capabilities);
 * // { type: 'restart', reason: 'ServerIgnoredRange', useBody: true, ... }
 * ```
 */
export function decideResume(
  sent: ResumeSent,
  head: ResponseHead,
  capabilities: TransportCapabilities,
): ResumeDecision {
  switch (head.status) {
    case 206:
      return decidePartial(sent, head, capabilities);
    case 416:
      return decideUnsatisfiable(sent, head, capabilities);
    default:
      // Any other success is the content from byte 0, as a 200 is (203 from a transforming proxy,
      // a 201 or 202 with content, a 204 with none): only 4xx and 5xx are failures (section 4).
      return head.status >= 200 && head.status < 300 ? decideWhole(sent, head, capabilities) : { type: 'fail' };
  }
}

/**
 * The headers a download attempt adds to its request: `accept-encoding: identity` whenever the
 * transport can set it, and `range` with `if-range` only when bytes are kept, the validator is
 * strong and the transport can see what it needs to check the answer (invariant #8).
 *
 * @example
 * ```ts
 * const capabilities = { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true };
 * resumeRequestHeaders({ offset: 100, validator: { type: 'etag', value: '"v1"', weak: false } }, capabilities);
 * // { 'accept-encoding': 'identity', range: 'bytes=100-', 'if-range': '"v1"' }
 * ```
 */
export function resumeRequestHeaders(
  kept: { readonly offset: number; readonly validator: Validator | null },
  capabilities: TransportCapabilities,
): HeaderMap {
  const headers: Record<string, string> = {};
  if (capabilities.setsAcceptEncoding) headers['accept-encoding'] = 'identity';
  const ifRange = ifRangeValue(kept.validator);
  if (kept.offset > 0 && ifRange !== null && canResume(capabilities)) {
    headers['range'] = `bytes=${kept.offset}-`;
    headers['if-range'] = ifRange;
  }
  return headers;
}

function decideWhole(sent: ResumeSent, head: ResponseHead, capabilities: TransportCapabilities): ResumeDecision {
  const validator = recordableValidator(head, capabilities);
  const length = parseContentLength(head.headers['content-length']);
  // A transport that cannot ask for identity (a browser's fetch) hands over the decoded body: an
  // encoded response's Content-Length is not its length then.
  const decoded = !capabilities.setsAcceptEncoding && !isIdentityEncoding(head);
  const expectedLength = typeof length === 'number' && !decoded ? length : null;
  if (sent.offset === 0) return { type: 'fresh', validator, expectedLength };
  return { type: 'restart', reason: wholeRestartReason(sent, head, capabilities), validator, expectedLength, useBody: true };
}

function wholeRestartReason(sent: ResumeSent, head: ResponseHead, capabilities: TransportCapabilities): RestartReason {
  if (!sent.rangeSent) {
    // Bytes were kept but no Range went out: say why it could not.
    if (!canResume(capabilities) || sent.validator === null) return 'NotResumable';
    return ifRangeValue(sent.validator) === null ? 'WeakValidator' : 'NotResumable';
  }
  // If-Range makes a compliant server answer 200 when the content changed (fault A4).
  if (!validatorMatchesResponse(sent.validator, head)) return 'ValidatorChanged';
  if (!isIdentityEncoding(head)) return 'EncodedResponse';
  return 'ServerIgnoredRange';
}

function decidePartial(sent: ResumeSent, head: ResponseHead, capabilities: TransportCapabilities): ResumeDecision {
  const dropBody = (reason: RestartReason): ResumeDecision => ({
    type: 'restart',
    reason,
    validator: recordableValidator(head, capabilities),
    expectedLength: null,
    useBody: false,
  });
  if (!canResume(capabilities)) return dropBody('NotResumable');
  if (!sent.rangeSent) {
    // A 206 nobody asked for that carries the whole content (bytes 0-(N-1)/N) is the content, as a
    // 200 would be; any other part cannot be placed anywhere safely.
    const whole = wholeRange(head);
    return whole === null ? dropBody('RangeMismatch') : decideWhole(sent, { ...head, headers: { ...head.headers, 'content-length': String(whole) } }, capabilities);
  }
  if (!isIdentityEncoding(head)) return dropBody('EncodedResponse');
  if (!validatorMatchesResponse(sent.validator, head)) return dropBody('ValidatorChanged');
  if (/^\s*multipart\/byteranges/i.test(head.headers['content-type'] ?? '')) return dropBody('RangeMismatch');
  const range = parseContentRange(head.headers['content-range']);
  if (range.type !== 'range' || range.first !== sent.offset) return dropBody('RangeMismatch');
  if (sent.expectedLength !== null && range.total !== null && range.total !== sent.expectedLength) {
    return dropBody('RangeMismatch');
  }
  // A length that disagrees with the range means one of them lies; neither can be trusted.
  const length = parseContentLength(head.headers['content-length']);
  if (length === 'invalid' || (length !== null && length !== range.last - range.first + 1)) {
    return dropBody('RangeMismatch');
  }
  // With no total, the range's own end is where the content ends: a body shorter than the range is
  // incomplete, and bytes past it are not the content.
  return { type: 'append', expectedLength: range.total ?? sent.expectedLength ?? range.last + 1 };
}

/** The content's length when a 206 carries all of it (`bytes 0-(N-1)/N`, unencoded, its length agreeing), else null. */
function wholeRange(head: ResponseHead): number | null {
  if (!isIdentityEncoding(head)) return null;
  const range = parseContentRange(head.headers['content-range']);
  if (range.type !== 'range' || range.first !== 0 || range.total === null || range.last !== range.total - 1) return null;
  const length = parseContentLength(head.headers['content-length']);
  if (length === 'invalid' || (length !== null && length !== range.total)) return null;
  return range.total;
}

function decideUnsatisfiable(sent: ResumeSent, head: ResponseHead, capabilities: TransportCapabilities): ResumeDecision {
  // A 416 to a request without Range is just an error status.
  if (!sent.rangeSent) return { type: 'fail' };
  const restart = (reason: RestartReason): ResumeDecision => ({
    type: 'restart',
    reason,
    validator: recordableValidator(head, capabilities),
    expectedLength: null,
    useBody: false,
  });
  // If-Range is evaluated before Range, so a compliant server's 416 is for the version we hold; a
  // 416 that names another version is not.
  if (carriesValidatorOfKind(sent.validator, head) && !validatorMatchesResponse(sent.validator, head)) {
    return restart('ValidatorChanged');
  }
  const range = parseContentRange(head.headers['content-range']);
  const complete =
    range.type === 'unsatisfied' &&
    range.total === sent.offset &&
    (sent.expectedLength === null || sent.expectedLength === range.total);
  return complete ? { type: 'done' } : restart('RangeNotSatisfiable');
}

function canResume(capabilities: TransportCapabilities): boolean {
  return capabilities.seesValidators && capabilities.setsAcceptEncoding;
}

/**
 * The validator to checkpoint with the bytes of this response. Encoded bytes are never resumed
 * (a range of a gzip stream is not a range of the content), so they get none.
 */
function recordableValidator(head: ResponseHead, capabilities: TransportCapabilities): Validator | null {
  if (!capabilities.seesValidators || !isIdentityEncoding(head)) return null;
  return validatorFromResponse(head);
}

function isIdentityEncoding(head: ResponseHead): boolean {
  const value = head.headers['content-encoding'];
  if (value === undefined) return true;
  return value
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .every((coding) => coding === '' || coding === 'identity');
}

function carriesValidatorOfKind(validator: Validator | null, head: ResponseHead): boolean {
  if (validator === null) return false;
  return (validator.type === 'etag' ? head.headers['etag'] : head.headers['last-modified']) !== undefined;
}
