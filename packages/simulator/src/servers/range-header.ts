/** One satisfiable byte range, inclusive. */
export interface ByteRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Reads a `Range` header against a representation of `length` bytes as RFC 9110 section 14
 * allows a server to: one `bytes=first-[last]` or suffix `bytes=-n` range is served; several
 * ranges, another unit, a malformed value or numbers past 2^53 are ignored (the whole content is
 * sent); a range starting at or past the end is unsatisfiable (416).
 *
 * @example
 * ```ts
 * parseRangeHeader('bytes=4-', 10); // { first: 4, last: 9 }
 * parseRangeHeader('bytes=10-', 10); // 'unsatisfiable'
 * parseRangeHeader('bytes=0-1,4-5', 10); // 'ignore'
 * ```
 */
export function parseRangeHeader(value: string, length: number): ByteRange | 'ignore' | 'unsatisfiable' {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (match === null) return 'ignore';
  const [, firstText = '', lastText = ''] = match;
  const first = firstText === '' ? null : Number(firstText);
  const last = lastText === '' ? null : Number(lastText);
  if ((first !== null && !Number.isSafeInteger(first)) || (last !== null && !Number.isSafeInteger(last))) return 'ignore';
  if (first === null) {
    if (last === null) return 'ignore';
    if (last === 0 || length === 0) return 'unsatisfiable';
    return { first: Math.max(0, length - last), last: length - 1 };
  }
  if (last !== null && last < first) return 'ignore';
  if (first >= length) return 'unsatisfiable';
  return { first, last: last === null ? length - 1 : Math.min(last, length - 1) };
}
