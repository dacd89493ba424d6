import { BgSessionError } from '@bgsession/core';

/** Where the attempt was when it failed; the same error means different things before and after the head. */
export interface UndiciFailureContext {
  /** The attempt's signal was aborted (by the pump: cancel, idle timeout, suspend). */
  readonly aborted: boolean;
  /**
   * Undici handed the request to a socket (`onRequestStart`). Until then not one byte was written,
   * so the request provably never left.
   */
  readonly requestStarted: boolean;
  /** The response head arrived: a failure now cuts the body. */
  readonly responseStarted: boolean;
}

const refusedCodes: ReadonlySet<string> = new Set(['ECONNREFUSED']);

const dnsCodes: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EAI_ADDRFAMILY']);

/**
 * A certificate Node did not accept: every verification failure Node names (its `X509ErrorCode`
 * table, src/crypto/crypto_common.cc, less OUT_OF_MEM, which says nothing of the certificate),
 * `UNSPECIFIED` (Node's code for every other OpenSSL verification result: a key or digest too weak
 * such as EE_KEY_TOO_SMALL, CA_KEY_TOO_SMALL or CA_MD_TOO_WEAK, a name constraint, an unhandled
 * critical extension; the message is OpenSSL's reason), and the host name checks of `tls`.
 */
const certificateCodes: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'UNSPECIFIED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

/** The connection closed or broke: before the head a failed connection, after it a cut body. */
const closedCodes: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET', // "other side closed", and a socket error while a request ran
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Undici refused the request as built (a header it forbids, a bad method): retrying cannot help. */
const badRequestCodes: ReadonlySet<string> = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_HTTP_INVALID_HEADER_VALUE',
]);

/**
 * Classifies whatever undici, Node's sockets or the request body source threw into the
 * `BgSessionError` the Transport port promises (semantics sections 4 and 9). Never throws.
 *
 * - an error that already is a `BgSessionError` (the SSRF guard's refusal, an upload source that
 *   changed) is kept;
 * - an aborted signal is `ConnectionFailed`, whatever undici made of it;
 * - ECONNREFUSED is `ConnectionFailed` with `bodyMayHaveBeenSent: false`; a name that did not
 *   resolve is `DnsFailure` (also `false`);
 * - a certificate Node did not accept is `TlsCertificate`;
 * - a body that ended short of its framing (`other side closed`, a reset, a Content-Length
 *   mismatch after the head) is `IncompleteBody`; the same before the head is `ConnectionFailed`;
 * - a request undici refuses to build is `InvalidArgument`;
 * - anything else is `ConnectionFailed` carrying the original as `cause`.
 *
 * `bodyMayHaveBeenSent` is false exactly when undici never handed the request to a socket.
 *
 * @example
 * ```ts
 * const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
 * classifyUndiciError(error, { aborted: false, requestStarted: false, responseStarted: false });
 * // BgSessionError { code: 'ConnectionFailed', bodyMayHaveBeenSent: false }
 * ```
 */
export function classifyUndiciError(error: unknown, context: UndiciFailureContext): BgSessionError {
  if (error instanceof BgSessionError) return error;
  const detail = describe(error);
  const sent = context.requestStarted;
  if (context.aborted) {
    return new BgSessionError('ConnectionFailed', 'The attempt was aborted.', { cause: error, bodyMayHaveBeenSent: sent });
  }
  const codes = errorCodes(error);
  const has = (set: ReadonlySet<string>): boolean => codes.some((code) => set.has(code));
  if (has(refusedCodes)) {
    return new BgSessionError('ConnectionFailed', `The connection was refused: ${detail}`, { cause: error, bodyMayHaveBeenSent: false });
  }
  if (has(dnsCodes)) {
    return new BgSessionError('DnsFailure', `The host name did not resolve: ${detail}`, { cause: error, bodyMayHaveBeenSent: false });
  }
  if (has(certificateCodes)) {
    return new BgSessionError('TlsCertificate', `The server's certificate was not accepted: ${detail}`, { cause: error, bodyMayHaveBeenSent: false });
  }
  if (codes.includes('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH')) {
    return new BgSessionError('UploadSourceChanged', `The request body did not match its length: ${detail}`, { cause: error, bodyMayHaveBeenSent: sent });
  }
  if (context.responseStarted && (has(closedCodes) || codes.includes('UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))) {
    return new BgSessionError('IncompleteBody', `The response body ended early: ${detail}`, { cause: error, bodyMayHaveBeenSent: sent });
  }
  if (has(badRequestCodes)) {
    return new BgSessionError('InvalidArgument', `The request could not be sent as given: ${detail}`, { cause: error, bodyMayHaveBeenSent: sent });
  }
  return new BgSessionError('ConnectionFailed', `The connection failed: ${detail}`, { cause: error, bodyMayHaveBeenSent: sent });
}

/** The `code`s of an error, its causes and, for an AggregateError (Happy Eyeballs), its members. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const pending: unknown[] = [error];
  // Bounded: a cause chain can be cyclic.
  for (let visited = 0; visited < 16 && pending.length > 0; visited += 1) {
    const next = pending.shift();
    if (typeof next !== 'object' || next === null) continue;
    const { code, cause, errors } = next as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) pending.push(...(errors as unknown[]));
  }
  return codes;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  try {
    return String(error);
  } catch {
    return 'an unprintable error';
  }
}
