import type { ResponseHead, Validator } from '../model/http.js';
import { parseHttpDate } from './http-date.js';

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 8.8.3); "W/" is case-sensitive.
const entityTag = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;

/** A Last-Modified is strong only when the response was generated at least this long after it. */
const strongLastModifiedGap = 1000;

/**
 * The validator a response carries, or `null` when it has none this library can use.
 *
 * An ETag wins whenever there is one, even a weak one: RFC 9110 13.1.5 forbids an If-Range date when
 * the client has an entity tag, so a weak ETag means no resume rather than a fall back to the date.
 * A Last-Modified is strong only when the response's `Date` is at least 1 s after it (RFC 9110
 * 8.8.2.2): within that second the file may have changed again without the date changing. A
 * malformed ETag (unquoted, several joined) is ignored.
 *
 * @example
 * ```ts
 * validatorFromResponse({ status: 200, headers: { etag: '"v1"' } });
 * // { type: 'etag', value: '"v1"', weak: false }
 * validatorFromResponse({ status: 200, headers: { etag: 'W/"v1"' } });
 * // { type: 'etag', value: '"v1"', weak: true }
 * ```
 */
export function validatorFromResponse(head: ResponseHead): Validator | null {
  const etag = parseEntityTag(head.headers['etag']);
  if (etag !== null) return etag;
  const lastModified = head.headers['last-modified'];
  if (lastModified === undefined) return null;
  const modifiedAt = parseHttpDate(lastModified);
  if (modifiedAt === null) return null;
  const date = parseHttpDate(head.headers['date']);
  const strong = date !== null && date - modifiedAt >= strongLastModifiedGap;
  return { type: 'lastModified', value: lastModified.trim(), strong };
}

/**
 * The `If-Range` value for a validator, or `null` when it is not strong enough to resume under
 * (invariant #8: no Range without an If-Range naming a strong validator).
 *
 * @example
 * ```ts
 * ifRangeValue({ type: 'etag', value: '"v1"', weak: false }); // '"v1"'
 * ifRangeValue({ type: 'etag', value: '"v1"', weak: true }); // null
 * ```
 */
export function ifRangeValue(validator: Validator | null): string | null {
  if (validator === null) return null;
  if (validator.type === 'etag') return validator.weak ? null : validator.value;
  return validator.strong ? validator.value : null;
}

/**
 * Whether two validators name the same version of the content: ETags by strong comparison (same
 * opaque tag, same weakness), Last-Modified dates by the instant they denote (a server may format
 * the same date differently). Strength of a Last-Modified is a fact about one response, not about
 * the version, so it is not compared.
 *
 * @example
 * ```ts
 * sameValidator({ type: 'etag', value: '"a"', weak: false }, { type: 'etag', value: '"a"', weak: false }); // true
 * sameValidator({ type: 'etag', value: '"a"', weak: false }, { type: 'etag', value: '"b"', weak: false }); // false
 * ```
 */
export function sameValidator(a: Validator | null, b: Validator | null): boolean {
  if (a === null || b === null) return false;
  if (a.type === 'etag' && b.type === 'etag') return a.value === b.value && a.weak === b.weak;
  if (a.type === 'lastModified' && b.type === 'lastModified') {
    const left = parseHttpDate(a.value);
    return left !== null && left === parseHttpDate(b.value);
  }
  return false;
}

/**
 * Whether a response carries `validator`, looking at the header of the validator's own kind: a server
 * that sent only Last-Modified before and now adds an ETag still matches on the date.
 *
 * @example
 * ```ts
 * validatorMatchesResponse({ type: 'etag', value: '"v1"', weak: false }, { status: 206, headers: { etag: '"v1"' } }); // true
 * ```
 */
export function validatorMatchesResponse(validator: Validator | null, head: ResponseHead): boolean {
  if (validator === null) return false;
  if (validator.type === 'etag') return sameValidator(validator, parseEntityTag(head.headers['etag']));
  const lastModified = head.headers['last-modified'];
  if (lastModified === undefined) return false;
  return sameValidator(validator, { type: 'lastModified', value: lastModified, strong: false });
}

function parseEntityTag(value: string | undefined): Validator | null {
  if (value === undefined) return null;
  const match = entityTag.exec(value.trim());
  if (match === null || match[2] === undefined) return null;
  return { type: 'etag', value: match[2], weak: match[1] !== undefined };
}
