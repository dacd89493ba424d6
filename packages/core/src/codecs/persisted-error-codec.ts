import * as t from 'io-ts';
import { BgSessionError, type BgSessionErrorFields } from '../errors/bg-session-error.js';
import { isErrorCode, type ErrorCode } from '../errors/error-codes.js';
import type { PersistedError } from '../model/persisted-error.js';
import { exactShape } from './exact-codec.js';
import { headerMapCodec } from './http-request-codec.js';
import { nullable } from './nullable-codec.js';
import { httpStatus } from './primitives.js';
import { summariseCause } from './summarise-cause.js';
import { truncateUtf8 } from './truncate-utf8.js';
import type { Assert, Equals } from './type-equality.js';

/** A code of the error table (an unknown code is a corrupt record, not a new kind of error). */
export const errorCodeCodec = new t.Type<ErrorCode, ErrorCode, unknown>(
  'an error code',
  isErrorCode,
  (u, c) => (isErrorCode(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/**
 * An error as plain tagged data (`PersistedError`). `path` is optional: errors stored before it was
 * kept decode without it.
 */
export const persistedErrorCodec = exactShape(
  {
    code: errorCodeCodec,
    message: t.string,
    retryable: t.boolean,
    status: nullable(httpStatus),
    headers: nullable(headerMapCodec),
    body: nullable(t.string),
    cause: nullable(t.string),
    bodyMayHaveBeenSent: nullable(t.boolean),
    resumeData: nullable(t.string),
  },
  { path: t.string },
  'a persisted error',
);

type _PersistedErrorMatches = Assert<Equals<t.TypeOf<typeof persistedErrorCodec>, PersistedError>>;

/** The cap of a persisted error response body (semantics section 4). */
export const MAX_PERSISTED_BODY_BYTES = 64 * 1024;

/**
 * An error as plain data for the store (semantics section 7): the body capped at 64 KiB of UTF-8,
 * the message capped likewise, the cause summarised to one line. The `path` concerned is kept: a
 * task that ends `DestinationExists` or `PermissionDenied` names it in its error, also when the
 * event is delivered again from the store. What only makes sense at a call (`field`,
 * `taskIdentifier`) is not kept: the record it is stored in says which task.
 *
 * @example
 * ```ts
 * toPersistedError(new BgSessionError('HttpStatus', 'Not Found', { status: 404 }));
 * // { code: 'HttpStatus', message: 'Not Found', retryable: false, status: 404, headers: null, ... }
 * ```
 */
export function toPersistedError(error: BgSessionError): PersistedError {
  return {
    code: error.code,
    message: truncateUtf8(error.message, MAX_PERSISTED_BODY_BYTES),
    retryable: error.retryable,
    status: error.status ?? null,
    headers: error.headers === undefined ? null : Object.fromEntries(Object.entries(error.headers)),
    body: error.body === undefined ? null : truncateUtf8(error.body, MAX_PERSISTED_BODY_BYTES),
    cause: summariseCause(error.cause),
    bodyMayHaveBeenSent: error.bodyMayHaveBeenSent ?? null,
    resumeData: error.resumeData ?? null,
    ...(error.path === undefined ? {} : { path: error.path }),
  };
}

/**
 * A persisted error as a `BgSessionError` again, for delivery. The cause is its one-line summary;
 * `path` is the persisted one, unless a caller that knows it from the record (an upload's file)
 * gives it.
 *
 * @example
 * ```ts
 * const error = fromPersistedError(record.error, record.taskIdentifier);
 * error.code; // 'HttpStatus'
 * ```
 */
export function fromPersistedError(persisted: PersistedError, taskIdentifier?: number, path?: string): BgSessionError {
  const fields: { -readonly [K in keyof BgSessionErrorFields]: BgSessionErrorFields[K] } = {
    retryable: persisted.retryable,
  };
  if (taskIdentifier !== undefined) fields.taskIdentifier = taskIdentifier;
  const where = path ?? persisted.path;
  if (where !== undefined) fields.path = where;
  if (persisted.status !== null) fields.status = persisted.status;
  if (persisted.headers !== null) fields.headers = persisted.headers;
  if (persisted.body !== null) fields.body = persisted.body;
  if (persisted.cause !== null) fields.cause = persisted.cause;
  if (persisted.bodyMayHaveBeenSent !== null) fields.bodyMayHaveBeenSent = persisted.bodyMayHaveBeenSent;
  if (persisted.resumeData !== null) fields.resumeData = persisted.resumeData;
  return new BgSessionError(persisted.code, persisted.message, fields);
}
