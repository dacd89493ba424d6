import type * as t from 'io-ts';
import { describeKey, describeValue } from './describe-value.js';

/**
 * Why a stored record did not decode. `path` names what was wrong, e.g. `tasks/42.checkpoint.offset`
 * (the caller's `at` prefix, then the field path; the prefix alone when the record itself is wrong).
 */
export interface DecodeFailure {
  readonly code: 'CorruptRecord' | 'UnsupportedStoreVersion';
  readonly path: string;
  readonly message: string;
}

/** The path of one io-ts error: the keys of its context, arrays shown as `[i]`. */
export function errorPath(error: t.ValidationError): string {
  let path = '';
  const context = error.context;
  for (let i = 1; i < context.length; i++) {
    const entry = context[i];
    if (entry === undefined) continue;
    const parentTag = (context[i - 1]?.type as { readonly _tag?: unknown } | undefined)?._tag;
    if (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType') {
      path += `[${entry.key}]`;
    } else {
      path += path === '' ? describeKey(entry.key) : `.${describeKey(entry.key)}`;
    }
  }
  return path;
}

/** Joins a caller's location prefix and a field path. */
export function joinPath(at: string | undefined, path: string): string {
  if (at === undefined || at === '') return path;
  if (path === '') return at;
  return path.startsWith('[') ? `${at}${path}` : `${at}.${path}`;
}

/** A message for one io-ts error: its own message, else what was expected and what was found. */
export function errorMessage(error: t.ValidationError): string {
  if (error.message !== undefined) return error.message;
  const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
  return `expected ${expected}, got ${describeValue(error.value)}`;
}

/**
 * Turns io-ts errors into one `DecodeFailure` naming the first thing that was wrong (the codecs
 * check fields in declaration order, so the report is deterministic).
 *
 * @example
 * ```ts
 * const result = checkpointCodec.decode({ offset: -1, validator: null, expectedLength: null, bootIdentity: 'b' });
 * if (E.isLeft(result)) toDecodeFailure(result.left, 'tasks/42.checkpoint');
 * // { code: 'CorruptRecord', path: 'tasks/42.checkpoint.offset', message: '...' }
 * ```
 */
export function toDecodeFailure(
  errors: t.Errors,
  at?: string,
  code: DecodeFailure['code'] = 'CorruptRecord',
): DecodeFailure {
  const first = errors[0];
  if (first === undefined) return { code, path: at ?? '', message: 'the record did not decode' };
  const path = joinPath(at, errorPath(first));
  const message = errorMessage(first);
  return { code, path, message: path === '' ? message : `${path}: ${message}` };
}
