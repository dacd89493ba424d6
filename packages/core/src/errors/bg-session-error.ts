import { errorCodes, retryableStatuses, type ErrorCode } from './error-codes.js';

/** Structured fields an error may carry besides its code. */
export interface BgSessionErrorFields {
  /** Overrides the code's default retryability (HttpStatus depends on the status). */
  readonly retryable?: boolean;
  /** The underlying failure, summarised when the error is persisted. */
  readonly cause?: unknown;
  /** The task the error belongs to. */
  readonly taskIdentifier?: number;
  /** The HTTP status (HttpStatus). */
  readonly status?: number;
  /** Response headers (HttpStatus), lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The first 64 KiB of the response body (HttpStatus), as text. */
  readonly body?: string;
  /** The file path or store key concerned (PermissionDenied, DestinationExists, CorruptRecord). */
  readonly path?: string;
  /** The configuration or argument field concerned (InvalidConfiguration, InvalidArgument). */
  readonly field?: string;
  /** Resume data carried by a cancelled or failed download (opaque, pass it to `session.download`). */
  readonly resumeData?: string;
  /** RequestInterrupted: whether the request body may have reached the server. */
  readonly bodyMayHaveBeenSent?: boolean;
  /** Transport failures: whether the attempt ran on a kept-alive connection reused from an earlier request. */
  readonly reusedConnection?: boolean;
}

/**
 * The one error type of bgsession. Match on `code`, never on `message`.
 *
 * @example
 * ```ts
 * try {
 *   await session.download({ url: 'not a url' });
 * } catch (error) {
 *   if (error instanceof BgSessionError && error.code === 'InvalidUrl') {
 *     console.log(error.field); // 'url'
 *   }
 * }
 * ```
 */
export class BgSessionError extends Error {
  /** Stable code from the table in `error-codes.ts`. */
  readonly code: ErrorCode;
  /** Whether the failed attempt is worth retrying. */
  readonly retryable: boolean;
  readonly taskIdentifier: number | undefined;
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly body: string | undefined;
  readonly path: string | undefined;
  readonly field: string | undefined;
  readonly resumeData: string | undefined;
  readonly bodyMayHaveBeenSent: boolean | undefined;
  readonly reusedConnection: boolean | undefined;

  constructor(code: ErrorCode, message: string, fields: BgSessionErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'BgSessionError';
    this.code = code;
    this.retryable =
      fields.retryable ??
      (code === 'HttpStatus' && fields.status !== undefined
        ? retryableStatuses.has(fields.status)
        : errorCodes[code].retryable);
    this.taskIdentifier = fields.taskIdentifier;
    this.status = fields.status;
    this.headers = fields.headers;
    this.body = fields.body;
    this.path = fields.path;
    this.field = fields.field;
    this.resumeData = fields.resumeData;
    this.bodyMayHaveBeenSent = fields.bodyMayHaveBeenSent;
    this.reusedConnection = fields.reusedConnection;
  }
}

/**
 * Whether `value` is a `BgSessionError`, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isBgSessionError(error, 'SessionInUse')) console.log('already open elsewhere');
 * ```
 */
export function isBgSessionError(value: unknown, code?: ErrorCode): value is BgSessionError {
  return value instanceof BgSessionError && (code === undefined || value.code === code);
}
