import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import { classifyFailure, httpStatusOutcome, isRetryableStatus, type FailureInput } from './classify-failure.js';

/** A GET on a fresh connection, online, whose request went out and got no response. */
const base: FailureInput = {
  code: 'ConnectionFailed',
  status: null,
  idempotent: true,
  requestMayHaveBeenSent: true,
  reusedConnection: false,
  responseStarted: false,
  online: true,
  constraintsMet: true,
};
const post: Partial<FailureInput> = { idempotent: false };
const status = (code: number): Partial<FailureInput> => ({ code: 'HttpStatus', status: code, responseStarted: true });

const retryable: AttemptOutcome = { type: 'retryable' };
const final: AttemptOutcome = { type: 'final' };

const rows: ReadonlyArray<{ name: string; input: Partial<FailureInput>; expected: AttemptOutcome }> = [
  // retryable failures
  { name: 'connection reset: retryable', input: {}, expected: retryable },
  { name: 'connection refused (never left): retryable', input: { requestMayHaveBeenSent: false }, expected: retryable },
  { name: 'DNS failure: retryable', input: { code: 'DnsFailure', requestMayHaveBeenSent: false }, expected: retryable },
  { name: 'B15 idle timeout: retryable (silence retries and resumes)', input: { code: 'IdleTimeout', responseStarted: true }, expected: retryable },
  { name: 'A7 body shorter than Content-Length: retryable', input: { code: 'IncompleteBody', responseStarted: true }, expected: retryable },
  { name: 'B12 reset after headers on a reused connection: a counted retry', input: { reusedConnection: true, responseStarted: true }, expected: retryable },
  ...[408, 429, 500, 502, 503, 504].map((code) => ({ name: `HTTP ${code}: retryable`, input: status(code), expected: retryable })),
  // final errors
  ...[400, 401, 403, 404, 410].map((code) => ({ name: `B11 HTTP ${code}: final`, input: status(code), expected: final })),
  { name: 'HTTP 501: final', input: status(501), expected: final },
  { name: 'HttpStatus without a status: final', input: { code: 'HttpStatus' }, expected: final },
  { name: 'bad certificate: final', input: { code: 'TlsCertificate' }, expected: final },
  { name: 'invalid URL: final', input: { code: 'InvalidUrl' }, expected: final },
  { name: 'refused redirect: final', input: { code: 'RedirectRefused' }, expected: final },
  { name: 'permission denied: final', input: { code: 'PermissionDenied' }, expected: final },
  { name: 'response too large: final', input: { code: 'ResponseTooLarge' }, expected: final },
  { name: 'A8 integrity mismatch on a download fetched whole: final', input: { code: 'IntegrityMismatch' }, expected: final },
  { name: 'upload source changed: final', input: { code: 'UploadSourceChanged' }, expected: final },
  { name: 'a final error stays final while offline', input: { code: 'TlsCertificate', online: false }, expected: final },
  { name: 'B11 an HTTP 404 stays final while offline (the server answered)', input: { ...status(404), online: false }, expected: final },
  // non-idempotent requests
  { name: 'B13 POST reset after its bytes may have been sent: final', input: { ...post }, expected: final },
  { name: 'B13 POST idle timeout after sending: final', input: { ...post, code: 'IdleTimeout' }, expected: final },
  { name: 'B13 POST going offline mid-request: final (it may have been processed)', input: { ...post, online: false }, expected: final },
  { name: 'POST with connection refused (never left): retryable', input: { ...post, requestMayHaveBeenSent: false }, expected: retryable },
  { name: 'POST with a DNS failure: retryable', input: { ...post, code: 'DnsFailure' }, expected: retryable },
  { name: 'POST answered 503 (not processed): retryable', input: { ...post, ...status(503) }, expected: retryable },
  { name: 'POST answered 429 (not processed): retryable', input: { ...post, ...status(429) }, expected: retryable },
  { name: 'POST answered 500: final', input: { ...post, ...status(500) }, expected: final },
  { name: 'POST answered 502: final', input: { ...post, ...status(502) }, expected: final },
  { name: 'POST answered 408: final', input: { ...post, ...status(408) }, expected: final },
  { name: 'B13 POST marked idempotent, reset after sending: retryable', input: { idempotent: true }, expected: retryable },
  // connectivity and constraints
  { name: 'B16 offline: waits for connectivity', input: { online: false }, expected: { type: 'offline', reason: 'connectivity' } },
  { name: 'B16 DNS failure while offline: waits for connectivity', input: { code: 'DnsFailure', online: false }, expected: { type: 'offline', reason: 'connectivity' } },
  { name: 'constraints no longer met: waits for constraints', input: { constraintsMet: false }, expected: { type: 'offline', reason: 'constraints' } },
  { name: 'offline and constraints unmet: connectivity first', input: { online: false, constraintsMet: false }, expected: { type: 'offline', reason: 'connectivity' } },
  { name: 'POST refused while offline: waits (it never left)', input: { ...post, requestMayHaveBeenSent: false, online: false }, expected: { type: 'offline', reason: 'connectivity' } },
  // stale connections
  { name: 'B12 reset of a reused connection before any response byte: staleConnection', input: { reusedConnection: true }, expected: { type: 'staleConnection' } },
  { name: 'B12 a POST on a stale reused connection after sending: final', input: { ...post, reusedConnection: true }, expected: final },
  { name: 'a reused connection that timed out idle: retryable, not stale', input: { code: 'IdleTimeout', reusedConnection: true }, expected: retryable },
  { name: 'a reused connection reset while offline: waits for connectivity', input: { reusedConnection: true, online: false }, expected: { type: 'offline', reason: 'connectivity' } },
  // storage
  { name: 'disk full: waits for storage', input: { code: 'DiskFull' }, expected: { type: 'diskFull' } },
  { name: 'disk full while offline: waits for storage (the bytes are the problem)', input: { code: 'DiskFull', online: false }, expected: { type: 'diskFull' } },
];

describe('classifyFailure', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(classifyFailure({ ...base, ...row.input })).toEqual(row.expected);
    });
  }
});

describe('httpStatusOutcome and isRetryableStatus', () => {
  const statusRows: ReadonlyArray<{ status: number; retryableStatus: boolean; idempotent: AttemptOutcome; nonIdempotent: AttemptOutcome }> = [
    { status: 408, retryableStatus: true, idempotent: retryable, nonIdempotent: final },
    { status: 429, retryableStatus: true, idempotent: retryable, nonIdempotent: retryable },
    { status: 500, retryableStatus: true, idempotent: retryable, nonIdempotent: final },
    { status: 502, retryableStatus: true, idempotent: retryable, nonIdempotent: final },
    { status: 503, retryableStatus: true, idempotent: retryable, nonIdempotent: retryable },
    { status: 504, retryableStatus: true, idempotent: retryable, nonIdempotent: final },
    { status: 400, retryableStatus: false, idempotent: final, nonIdempotent: final },
    { status: 416, retryableStatus: false, idempotent: final, nonIdempotent: final },
    { status: 501, retryableStatus: false, idempotent: final, nonIdempotent: final },
    { status: 505, retryableStatus: false, idempotent: final, nonIdempotent: final },
  ];
  for (const row of statusRows) {
    it(`HTTP ${row.status}: ${row.retryableStatus ? 'retryable' : 'final'}${row.retryableStatus && row.nonIdempotent.type === 'final' ? ', final for a non-idempotent request' : ''}`, () => {
      expect(isRetryableStatus(row.status)).toBe(row.retryableStatus);
      expect(httpStatusOutcome(row.status, true)).toEqual(row.idempotent);
      expect(httpStatusOutcome(row.status, false)).toEqual(row.nonIdempotent);
    });
  }
});
