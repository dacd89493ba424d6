/**
 * The one table of error codes (semantics section 9). `docs/reference/errors.md` is generated
 * from it (`pnpm docs:errors`), and a test fails when the two drift apart.
 */

/** How an error with this code affects the task that met it. */
export type ErrorEffect =
  | 'retry' // retryable: the attempt fails and the task backs off
  | 'failed'
  | 'cancelled'
  | 'timedOut'
  | 'waits' // not an end: the task waits (disk full)
  | 'session' // concerns the session or the call, not one task's end
  | 'depends'; // HttpStatus: retryable for 408, 429, 500, 502, 503, 504, final otherwise

/** One row of the code table. */
export interface ErrorCodeInfo {
  /** Whether an attempt that fails with this code is retried (for HttpStatus: the default row). */
  readonly retryable: boolean;
  /** How the code affects a task. */
  readonly effect: ErrorEffect;
  /** One sentence for the reference page. */
  readonly meaning: string;
}

/**
 * Every code a `BgSessionError` can carry, with its row of semantics section 9.
 *
 * @example
 * ```ts
 * import { errorCodes } from '@bgsession/core';
 * errorCodes.IdleTimeout.retryable; // true
 * ```
 */
export const errorCodes = {
  ConnectionFailed: { retryable: true, effect: 'retry', meaning: 'The connection was refused, reset or closed early, or the TLS handshake was interrupted.' },
  DnsFailure: { retryable: true, effect: 'retry', meaning: 'The host name did not resolve.' },
  IdleTimeout: { retryable: true, effect: 'retry', meaning: 'Nothing was sent or received for `timeoutForRequest`.' },
  IncompleteBody: { retryable: true, effect: 'retry', meaning: 'The body was shorter than its Content-Length, or chunked without its terminator.' },
  HttpStatus: { retryable: false, effect: 'depends', meaning: 'The server answered with an error status; retryable for 408, 429, 500, 502, 503 and 504. Carries the status, the headers and a body capped at 64 KiB.' },
  ResourceTimeout: { retryable: false, effect: 'timedOut', meaning: '`timeoutForResource` passed since the task was created.' },
  TlsCertificate: { retryable: false, effect: 'failed', meaning: 'The server presented a certificate the session does not accept.' },
  InvalidUrl: { retryable: false, effect: 'failed', meaning: 'Not an absolute http(s) URL (thrown at creation, or met on a redirect).' },
  RedirectRefused: { retryable: false, effect: 'failed', meaning: 'A redirect broke the hop limit, the scheme rule or the cross-origin rule.' },
  PermissionDenied: { retryable: false, effect: 'failed', meaning: 'The file system refused an operation.' },
  ResponseTooLarge: { retryable: false, effect: 'failed', meaning: "A data or upload task's response body exceeded its `maxDataTaskBytes` (8 MiB unless the configuration or the task says otherwise)." },
  IntegrityMismatch: { retryable: false, effect: 'failed', meaning: 'The downloaded bytes do not hash to `integrity` (after the one free restart).' },
  UploadSourceChanged: { retryable: false, effect: 'failed', meaning: "The upload's source file changed while the task lived." },
  RequestInterrupted: { retryable: false, effect: 'failed', meaning: 'A non-idempotent request was cut by the death of its host; its body may have been sent.' },
  DestinationExists: {
    retryable: false,
    effect: 'failed',
    meaning: "`ifExists: 'fail'` (the default) and a file is already at the destination: thrown by `download()` when one is at a path destination already, the task's end when one appears there before the hand-over.",
  },
  Cancelled: { retryable: false, effect: 'cancelled', meaning: 'The app cancelled the task; carries resume data when it was produced.' },
  DiskFull: { retryable: false, effect: 'waits', meaning: "The disk is full: the task waits with reason `storage`, bytes kept. Not an end." },
  StoreFailed: { retryable: false, effect: 'session', meaning: 'The store could not write; the session refuses every call until it is reopened.' },
  CorruptRecord: { retryable: false, effect: 'session', meaning: "A stored record did not decode; reported at open with its path, and its task is quarantined." },
  UnsupportedStoreVersion: { retryable: false, effect: 'session', meaning: 'The store was written by a newer schema version than this library reads.' },
  SessionInUse: { retryable: false, effect: 'session', meaning: 'Another live owner holds the session.' },
  InvalidConfiguration: { retryable: false, effect: 'session', meaning: 'The session configuration or host options are wrong; the message names the field.' },
  InvalidArgument: { retryable: false, effect: 'session', meaning: 'A call was given a wrong type or value; the message names the field.' },
  InvalidResumeData: { retryable: false, effect: 'session', meaning: 'Resume data that does not decode, or whose bytes are gone.' },
  SessionInvalidated: { retryable: false, effect: 'session', meaning: 'The session was invalidated (or is finishing) and takes no new tasks.' },
  SessionClosed: { retryable: false, effect: 'session', meaning: 'The app closed this session object: it refuses every call, and promises pending on it reject. Open the session again to go on; its tasks are kept.' },
  ProtocolError: { retryable: false, effect: 'session', meaning: 'A remote session message (daemon, service worker) did not decode.' },
  ProtocolVersionMismatch: { retryable: false, effect: 'session', meaning: 'The remote peer speaks another protocol version.' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A stable error code; users match on it. */
export type ErrorCode = keyof typeof errorCodes;

/** The statuses semantics section 4 calls retryable. */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether `code` is one of the table's codes.
 *
 * @example
 * ```ts
 * isErrorCode('DiskFull'); // true
 * isErrorCode('Nope'); // false
 * ```
 */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(errorCodes, code);
}
