import { parseSafeInteger } from './safe-integer.js';

/** Why a Content-Range could not be used (fault A3). */
export type ContentRangeProblem =
  /** No Content-Range at all (a 206 without one, or a multipart/byteranges body). */
  | 'missing'
  /** Not `bytes first-last/total`, `bytes first-last/*` or `bytes *\/total`. */
  | 'syntax'
  /** A unit other than `bytes`. */
  | 'unit'
  /** More than one range (`, `-joined values or a multipart answer). */
  | 'multiple'
  /** `last` before `first`. */
  | 'order'
  /** A total that does not exceed `last`. */
  | 'total'
  /** A position or length past 2^53 - 1, which a JavaScript number cannot hold exactly. */
  | 'unsafeInteger';

/** A parsed Content-Range (RFC 9110 14.4). */
export type ContentRange =
  /** `bytes first-last/total` (`total` null for `*`): the body holds bytes first..last inclusive. */
  | { readonly type: 'range'; readonly first: number; readonly last: number; readonly total: number | null }
  /** `bytes *\/total`, sent with a 416. */
  | { readonly type: 'unsatisfied'; readonly total: number }
  | { readonly type: 'invalid'; readonly reason: ContentRangeProblem };

const rangeForm = /^([0-9]+)-([0-9]+)\/([0-9]+|\*)$/;
const unsatisfiedForm = /^\*\/([0-9]+)$/;

/**
 * Parses a Content-Range header value. Never throws: anything it cannot trust is `invalid` with the
 * reason, and the caller never combines such a body with kept bytes.
 *
 * @example
 * ```ts
 * parseContentRange('bytes 100-199/1000'); // { type: 'range', first: 100, last: 199, total: 1000 }
 * parseContentRange('bytes *\/1000'); // { type: 'unsatisfied', total: 1000 }
 * parseContentRange('bytes 5-/10'); // { type: 'invalid', reason: 'syntax' }
 * ```
 */
export function parseContentRange(value: string | undefined): ContentRange {
  if (value === undefined || value.trim() === '') return invalid('missing');
  const text = value.trim();
  if (text.includes(',')) return invalid('multiple');
  const space = text.search(/[ \t]/);
  if (space < 0) return invalid('syntax');
  // The range unit is a case-insensitive token (RFC 9110 14.1).
  if (text.slice(0, space).toLowerCase() !== 'bytes') return invalid('unit');
  const rest = text.slice(space).trim();

  const unsatisfied = unsatisfiedForm.exec(rest);
  if (unsatisfied !== null) {
    const total = parseSafeInteger(unsatisfied[1] ?? '');
    if (total === 'unsafe') return invalid('unsafeInteger');
    if (total === null) return invalid('syntax');
    return { type: 'unsatisfied', total };
  }

  const range = rangeForm.exec(rest);
  if (range === null) return invalid('syntax');
  const first = parseSafeInteger(range[1] ?? '');
  const last = parseSafeInteger(range[2] ?? '');
  const total = range[3] === '*' ? null : parseSafeInteger(range[3] ?? '');
  if (first === 'unsafe' || last === 'unsafe' || total === 'unsafe') return invalid('unsafeInteger');
  if (first === null || last === null) return invalid('syntax');
  if (last < first) return invalid('order');
  if (total !== null && total <= last) return invalid('total');
  return { type: 'range', first, last, total };
}

/**
 * Parses a Content-Length value: the length, `null` when absent, `'invalid'` when it is not a
 * length this library can hold exactly. A list of identical values (`42, 42`, from a proxy that
 * merged duplicates) is that value, as RFC 9110 8.6 allows; differing values are `invalid`.
 *
 * @example
 * ```ts
 * parseContentLength('1024'); // 1024
 * parseContentLength(undefined); // null
 * parseContentLength('42, 43'); // 'invalid'
 * parseContentLength('18446744073709551616'); // 'invalid'
 * ```
 */
export function parseContentLength(value: string | undefined): number | null | 'invalid' {
  if (value === undefined) return null;
  const parts = value.split(',').map((part) => part.trim());
  let length: number | null = null;
  for (const part of parts) {
    const parsed = parseSafeInteger(part);
    if (parsed === null || parsed === 'unsafe') return 'invalid';
    if (length !== null && parsed !== length) return 'invalid';
    length = parsed;
  }
  return length;
}

function invalid(reason: ContentRangeProblem): ContentRange {
  return { type: 'invalid', reason };
}
