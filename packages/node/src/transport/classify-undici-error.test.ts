import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { BgSessionError, type ErrorCode } from '@bgsession/core';
import { classifyUndiciError, type UndiciFailureContext } from './classify-undici-error.js';

const beforeRequest: UndiciFailureContext = { aborted: false, requestStarted: false, responseStarted: false };
const beforeHead: UndiciFailureContext = { aborted: false, requestStarted: true, responseStarted: false };
const inBody: UndiciFailureContext = { aborted: false, requestStarted: true, responseStarted: true };

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

interface Row {
  readonly name: string;
  readonly error: unknown;
  readonly context: UndiciFailureContext;
  readonly code: ErrorCode;
  readonly bodyMayHaveBeenSent: boolean | undefined;
}

const rows: readonly Row[] = [
  { name: 'ECONNREFUSED', error: nodeError('ECONNREFUSED'), context: beforeRequest, code: 'ConnectionFailed', bodyMayHaveBeenSent: false },
  {
    name: 'ECONNREFUSED on every address (Happy Eyeballs AggregateError)',
    error: Object.assign(new AggregateError([nodeError('ECONNREFUSED'), nodeError('ECONNREFUSED')], 'all failed'), { code: 'ECONNREFUSED' }),
    context: beforeRequest,
    code: 'ConnectionFailed',
    bodyMayHaveBeenSent: false,
  },
  { name: 'ENOTFOUND', error: nodeError('ENOTFOUND'), context: beforeRequest, code: 'DnsFailure', bodyMayHaveBeenSent: false },
  { name: 'EAI_AGAIN', error: nodeError('EAI_AGAIN'), context: beforeRequest, code: 'DnsFailure', bodyMayHaveBeenSent: false },
  { name: 'ECONNRESET before the head', error: nodeError('ECONNRESET'), context: beforeHead, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'ECONNRESET during the TLS handshake', error: nodeError('ECONNRESET'), context: beforeRequest, code: 'ConnectionFailed', bodyMayHaveBeenSent: false },
  { name: 'other side closed before the head', error: new undiciErrors.SocketError('other side closed'), context: beforeHead, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'other side closed mid-body (short Content-Length, chunked without terminator)', error: new undiciErrors.SocketError('other side closed'), context: inBody, code: 'IncompleteBody', bodyMayHaveBeenSent: true },
  { name: 'ECONNRESET mid-body', error: nodeError('ECONNRESET'), context: inBody, code: 'IncompleteBody', bodyMayHaveBeenSent: true },
  { name: 'premature close mid-body', error: nodeError('ERR_STREAM_PREMATURE_CLOSE', 'Premature close'), context: inBody, code: 'IncompleteBody', bodyMayHaveBeenSent: true },
  { name: 'response Content-Length mismatch', error: new undiciErrors.ResponseContentLengthMismatchError(), context: inBody, code: 'IncompleteBody', bodyMayHaveBeenSent: true },
  { name: 'request Content-Length mismatch', error: new undiciErrors.RequestContentLengthMismatchError(), context: beforeHead, code: 'UploadSourceChanged', bodyMayHaveBeenSent: true },
  ...[
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'PATH_LENGTH_EXCEEDED',
    'UNABLE_TO_GET_CRL',
    'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
    'CRL_SIGNATURE_FAILURE',
    'CRL_NOT_YET_VALID',
    'CRL_HAS_EXPIRED',
    'ERROR_IN_CERT_NOT_BEFORE_FIELD',
    'ERROR_IN_CERT_NOT_AFTER_FIELD',
    'ERROR_IN_CRL_LAST_UPDATE_FIELD',
    'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
    'HOSTNAME_MISMATCH',
  ].map((code): Row => ({ name: code, error: nodeError(code), context: beforeRequest, code: 'TlsCertificate', bodyMayHaveBeenSent: false })),
  // Node's code for the verification results its table does not name, with OpenSSL's reason as message.
  ...['CA signature digest algorithm too weak', 'EE certificate key too weak', 'CA certificate key too weak', 'name constraints violation'].map(
    (reason): Row => ({ name: `UNSPECIFIED: ${reason}`, error: nodeError('UNSPECIFIED', reason), context: beforeRequest, code: 'TlsCertificate', bodyMayHaveBeenSent: false }),
  ),
  {
    name: "a proxy's certificate for another host (wrapped by undici)",
    error: Object.assign(new Error('proxy tls'), { code: 'UND_ERR_PRX_TLS', cause: nodeError('ERR_TLS_CERT_ALTNAME_INVALID') }),
    context: beforeRequest,
    code: 'TlsCertificate',
    bodyMayHaveBeenSent: false,
  },
  { name: 'an aborted signal, whatever undici reports', error: new undiciErrors.RequestAbortedError(), context: { ...inBody, aborted: true }, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'an abort before the request left', error: new DOMException('aborted', 'AbortError'), context: { ...beforeRequest, aborted: true }, code: 'ConnectionFailed', bodyMayHaveBeenSent: false },
  { name: 'a header undici refuses', error: new undiciErrors.InvalidArgumentError('invalid x-bad header'), context: beforeRequest, code: 'InvalidArgument', bodyMayHaveBeenSent: false },
  { name: 'connect timeout', error: new undiciErrors.ConnectTimeoutError(), context: beforeRequest, code: 'ConnectionFailed', bodyMayHaveBeenSent: false },
  { name: 'a destroyed agent', error: new undiciErrors.ClientDestroyedError(), context: beforeHead, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'a garbled response', error: Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { code: 'HPE_INVALID_CONSTANT' }), context: beforeHead, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'a thrown string', error: 'boom', context: beforeHead, code: 'ConnectionFailed', bodyMayHaveBeenSent: true },
  { name: 'null', error: null, context: beforeRequest, code: 'ConnectionFailed', bodyMayHaveBeenSent: false },
];

describe('classifyUndiciError', () => {
  it.each(rows)('$name -> $code', ({ error, context, code, bodyMayHaveBeenSent }) => {
    const classified = classifyUndiciError(error, context);
    expect(classified).toBeInstanceOf(BgSessionError);
    expect(classified.code).toBe(code);
    expect(classified.bodyMayHaveBeenSent).toBe(bodyMayHaveBeenSent);
    expect(classified.cause).toBe(error);
  });

  it('keeps a BgSessionError as it is (the SSRF guard, an upload source that changed)', () => {
    const refusal = new BgSessionError('PermissionDenied', 'refused');
    expect(classifyUndiciError(refusal, { ...beforeRequest, aborted: true })).toBe(refusal);
  });

  it('never throws, even on an error whose cause chain loops or whose printing throws', () => {
    const looping = nodeError('EWHATEVER');
    Object.assign(looping, { cause: looping });
    const unprintable = { toString: () => { throw new Error('no'); } };
    expect(classifyUndiciError(looping, beforeHead).code).toBe('ConnectionFailed');
    expect(classifyUndiciError(unprintable, beforeHead).code).toBe('ConnectionFailed');
  });
});
