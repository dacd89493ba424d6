import { describe, expect, it } from 'vitest';
import type { HeaderMap, Validator } from '../model/http.js';
import type { TransportCapabilities } from '../ports/transport.js';
import { decideResume, resumeRequestHeaders, type ResumeDecision, type ResumeSent } from './resume-decision.js';

const full: TransportCapabilities = { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true };
const noValidators: TransportCapabilities = { ...full, seesValidators: false };
const noAcceptEncoding: TransportCapabilities = { ...full, setsAcceptEncoding: false };

const v1: Validator = { type: 'etag', value: '"v1"', weak: false };
const v2: Validator = { type: 'etag', value: '"v2"', weak: false };
const weakV1: Validator = { type: 'etag', value: '"v1"', weak: true };
const modified = 'Sun, 06 Nov 1994 08:49:37 GMT';
const modifiedLater = 'Mon, 07 Nov 1994 08:49:37 GMT';
const strongDate: Validator = { type: 'lastModified', value: modified, strong: true };
const weakDate: Validator = { type: 'lastModified', value: modified, strong: false };

const N = 4096;
const L = 10_000;
/** An attempt that kept N bytes under v1 and asked for the rest. */
const resumed: ResumeSent = { offset: N, validator: v1, expectedLength: L, rangeSent: true };
const fromZero: ResumeSent = { offset: 0, validator: null, expectedLength: null, rangeSent: false };

const rest: HeaderMap = { etag: '"v1"', 'content-range': `bytes ${N}-${L - 1}/${L}`, 'content-length': String(L - N) };
const whole: HeaderMap = { etag: '"v1"', 'content-length': String(L) };
const restart = (reason: string, validator: Validator | null, expectedLength: number | null, useBody: boolean): ResumeDecision =>
  ({ type: 'restart', reason, validator, expectedLength, useBody }) as ResumeDecision;

const rows: ReadonlyArray<{
  name: string;
  sent: ResumeSent;
  status: number;
  headers: HeaderMap;
  capabilities?: TransportCapabilities;
  expected: ResumeDecision;
}> = [
  // 206
  { name: '206 starting at the offset, same total and validator: append', sent: resumed, status: 206, headers: rest, expected: { type: 'append', expectedLength: L } },
  { name: '206 with a total where none was known: append and learn it', sent: { ...resumed, expectedLength: null }, status: 206, headers: rest, expected: { type: 'append', expectedLength: L } },
  { name: '206 with an unknown total (*) and the same validator: append', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N}-${L - 1}/*` }, expected: { type: 'append', expectedLength: L } },
  { name: '206 shorter than asked (the server sends a part of the rest): append', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N}-${N + 99}/${L}`, 'content-length': '100' }, expected: { type: 'append', expectedLength: L } },
  { name: '206 without Content-Length (chunked): append', sent: resumed, status: 206, headers: { etag: '"v1"', 'content-range': `bytes ${N}-${L - 1}/${L}` }, expected: { type: 'append', expectedLength: L } },
  { name: '206 matching a strong Last-Modified: append', sent: { ...resumed, validator: strongDate }, status: 206, headers: { 'last-modified': modified, 'content-range': `bytes ${N}-${L - 1}/${L}` }, expected: { type: 'append', expectedLength: L } },
  { name: 'A2 206 starting at N-1: RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N - 1}-${L - 1}/${L}`, 'content-length': String(L - N + 1) }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A2 206 starting at 0: RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes 0-${L - 1}/${L}`, 'content-length': String(L) }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A2 206 starting at N+4096: RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N + 4096}-${L - 1}/${L}`, 'content-length': String(L - N - 4096) }, expected: restart('RangeMismatch', v1, null, false) },
  { name: '206 with another total: RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N}-${L}/${L + 1}`, 'content-length': String(L - N + 1) }, expected: restart('RangeMismatch', v1, null, false) },
  { name: '206 whose Content-Length disagrees with its range: RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-length': '10' }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with an invalid Content-Range (last < first): RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N}-${N - 1}/${L}` }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with an invalid Content-Range (total <= last): RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `bytes ${N}-${L - 1}/${L - 1}` }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with an invalid Content-Range (bytes 5-/10): RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': 'bytes 5-/10' }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with an invalid Content-Range (unit items): RangeMismatch', sent: resumed, status: 206, headers: { ...rest, 'content-range': `items ${N}-${L - 1}/${L}` }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with no Content-Range: RangeMismatch', sent: resumed, status: 206, headers: { etag: '"v1"' }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 multipart/byteranges: RangeMismatch', sent: resumed, status: 206, headers: { etag: '"v1"', 'content-type': 'multipart/byteranges; boundary=x' }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A3 206 with a Content-Range past 2^53: RangeMismatch', sent: resumed, status: 206, headers: { etag: '"v1"', 'content-range': `bytes ${N}-9007199254740993/9007199254740994` }, expected: restart('RangeMismatch', v1, null, false) },
  { name: 'A4 206 with another validator: ValidatorChanged', sent: resumed, status: 206, headers: { ...rest, etag: '"v2"' }, expected: restart('ValidatorChanged', v2, null, false) },
  { name: '206 without the validator that was sent: ValidatorChanged', sent: resumed, status: 206, headers: { 'content-range': `bytes ${N}-${L - 1}/${L}` }, expected: restart('ValidatorChanged', null, null, false) },
  { name: '206 with the weak form of the validator sent: ValidatorChanged', sent: resumed, status: 206, headers: { ...rest, etag: 'W/"v1"' }, expected: restart('ValidatorChanged', weakV1, null, false) },
  { name: '206 with a Content-Encoding: EncodedResponse', sent: resumed, status: 206, headers: { ...rest, 'content-encoding': 'gzip' }, expected: restart('EncodedResponse', null, null, false) },
  { name: '206 with Content-Encoding identity: append', sent: resumed, status: 206, headers: { ...rest, 'content-encoding': 'identity' }, expected: { type: 'append', expectedLength: L } },
  { name: '206 nobody asked for carrying the whole content (bytes 0-(L-1)/L): fresh, as a 200', sent: fromZero, status: 206, headers: { etag: '"v1"', 'content-range': `bytes 0-${L - 1}/${L}` }, expected: { type: 'fresh', validator: v1, expectedLength: L } },
  { name: '206 nobody asked for, after kept bytes under a weak validator, carrying the whole content: restart with its body', sent: { ...resumed, validator: weakV1, rangeSent: false }, status: 206, headers: { etag: 'W/"v1"', 'content-range': `bytes 0-${L - 1}/${L}`, 'content-length': String(L) }, expected: restart('WeakValidator', weakV1, L, true) },
  { name: '206 nobody asked for carrying a part (bytes 5-9/L): RangeMismatch', sent: fromZero, status: 206, headers: { etag: '"v1"', 'content-range': `bytes 5-9/${L}` }, expected: restart('RangeMismatch', v1, null, false) },
  { name: '206 nobody asked for whose Content-Length disagrees with the whole range: RangeMismatch', sent: fromZero, status: 206, headers: { etag: '"v1"', 'content-range': `bytes 0-${L - 1}/${L}`, 'content-length': '10' }, expected: restart('RangeMismatch', v1, null, false) },
  { name: '206 with an unknown total (*) and no length known: append, the content ending where the range does', sent: { ...resumed, expectedLength: null }, status: 206, headers: { etag: '"v1"', 'content-range': `bytes ${N}-${N + 99}/*` }, expected: { type: 'append', expectedLength: N + 100 } },
  { name: '206 through a transport that cannot see validators: NotResumable', sent: resumed, status: 206, headers: rest, capabilities: noValidators, expected: restart('NotResumable', null, null, false) },
  // 200
  { name: '200 with nothing kept: fresh, with its validator and length', sent: fromZero, status: 200, headers: whole, expected: { type: 'fresh', validator: v1, expectedLength: L } },
  { name: '200 with nothing kept and no length (close-delimited): fresh, length unknown', sent: fromZero, status: 200, headers: { etag: '"v1"' }, expected: { type: 'fresh', validator: v1, expectedLength: null } },
  { name: '200 with nothing kept and a Content-Length past 2^53: fresh, length unknown', sent: fromZero, status: 200, headers: { 'content-length': '9007199254740993' }, expected: { type: 'fresh', validator: null, expectedLength: null } },
  { name: '200 with nothing kept, encoded: fresh, with no validator so it is never resumed', sent: fromZero, status: 200, headers: { ...whole, 'content-encoding': 'gzip' }, expected: { type: 'fresh', validator: null, expectedLength: L } },
  { name: '200 with nothing kept through a transport that cannot see validators: fresh, no validator', sent: fromZero, status: 200, headers: whole, capabilities: noValidators, expected: { type: 'fresh', validator: null, expectedLength: L } },
  { name: '200 encoded through a transport that decodes (cannot set Accept-Encoding): fresh, length unknown (its Content-Length is the encoded one)', sent: fromZero, status: 200, headers: { ...whole, 'content-encoding': 'gzip' }, capabilities: noAcceptEncoding, expected: { type: 'fresh', validator: null, expectedLength: null } },
  { name: 'A1 200 to a Range with the same validator: ServerIgnoredRange, body written from 0', sent: resumed, status: 200, headers: whole, expected: restart('ServerIgnoredRange', v1, L, true) },
  { name: 'A4 200 to a Range with another validator (If-Range at work): ValidatorChanged', sent: resumed, status: 200, headers: { ...whole, etag: '"v2"' }, expected: restart('ValidatorChanged', v2, L, true) },
  { name: 'A4 200 to a Range with a newer Last-Modified: ValidatorChanged', sent: { ...resumed, validator: strongDate }, status: 200, headers: { 'last-modified': modifiedLater, date: 'Tue, 08 Nov 1994 08:49:37 GMT', 'content-length': String(L) }, expected: restart('ValidatorChanged', { type: 'lastModified', value: modifiedLater, strong: true }, L, true) },
  { name: '200 to a Range, encoded, same validator: EncodedResponse', sent: resumed, status: 200, headers: { ...whole, 'content-encoding': 'br' }, expected: restart('EncodedResponse', null, L, true) },
  { name: 'A5 200 after kept bytes under a weak ETag (no Range sent): WeakValidator', sent: { ...resumed, validator: weakV1, rangeSent: false }, status: 200, headers: { ...whole, etag: 'W/"v1"' }, expected: restart('WeakValidator', weakV1, L, true) },
  { name: 'A5 200 after kept bytes under a Last-Modified within 1 s of Date: WeakValidator', sent: { ...resumed, validator: weakDate, rangeSent: false }, status: 200, headers: { 'last-modified': modified, date: modified, 'content-length': String(L) }, expected: restart('WeakValidator', weakDate, L, true) },
  { name: '200 after kept bytes with no validator: NotResumable', sent: { ...resumed, validator: null, rangeSent: false }, status: 200, headers: { 'content-length': String(L) }, expected: restart('NotResumable', null, L, true) },
  { name: '200 after kept bytes through a transport that cannot see validators: NotResumable', sent: { ...resumed, rangeSent: false }, status: 200, headers: whole, capabilities: noValidators, expected: restart('NotResumable', null, L, true) },
  { name: '200 after kept bytes through a transport that cannot set Accept-Encoding: NotResumable', sent: { ...resumed, rangeSent: false }, status: 200, headers: whole, capabilities: noAcceptEncoding, expected: restart('NotResumable', v1, L, true) },
  // other 2xx: the content, as a 200
  { name: '203 (a transforming proxy) with nothing kept: fresh', sent: fromZero, status: 203, headers: whole, expected: { type: 'fresh', validator: v1, expectedLength: L } },
  { name: '201 with content and nothing kept: fresh', sent: fromZero, status: 201, headers: { 'content-length': '5' }, expected: { type: 'fresh', validator: null, expectedLength: 5 } },
  { name: '202 to a Range after kept bytes: ServerIgnoredRange, body written from 0', sent: resumed, status: 202, headers: whole, expected: restart('ServerIgnoredRange', v1, L, true) },
  // 416
  { name: 'A6 416 with bytes */L and L = N: done, nothing written', sent: { ...resumed, offset: L }, status: 416, headers: { 'content-range': `bytes */${L}` }, expected: { type: 'done' } },
  { name: 'A6 416 with bytes */N when the length was unknown: done', sent: { ...resumed, expectedLength: null }, status: 416, headers: { 'content-range': `bytes */${N}` }, expected: { type: 'done' } },
  { name: 'A6 416 with bytes */L and L < N: RangeNotSatisfiable', sent: resumed, status: 416, headers: { 'content-range': `bytes */${N - 1}` }, expected: restart('RangeNotSatisfiable', null, null, false) },
  { name: 'A6 416 with bytes */L and L > N: RangeNotSatisfiable', sent: resumed, status: 416, headers: { 'content-range': `bytes */${N + 1}` }, expected: restart('RangeNotSatisfiable', null, null, false) },
  { name: 'A6 416 without Content-Range: RangeNotSatisfiable', sent: resumed, status: 416, headers: {}, expected: restart('RangeNotSatisfiable', null, null, false) },
  { name: 'A6 416 with an HTML body and no Content-Range: RangeNotSatisfiable, body dropped', sent: resumed, status: 416, headers: { 'content-type': 'text/html', 'content-length': '512' }, expected: restart('RangeNotSatisfiable', null, null, false) },
  { name: '416 with bytes */N that disagrees with the recorded length: RangeNotSatisfiable', sent: resumed, status: 416, headers: { 'content-range': `bytes */${N}` }, expected: restart('RangeNotSatisfiable', null, null, false) },
  { name: '416 naming another validator: ValidatorChanged', sent: { ...resumed, offset: L }, status: 416, headers: { etag: '"v2"', 'content-range': `bytes */${L}` }, expected: restart('ValidatorChanged', v2, null, false) },
  { name: '416 to a request without Range: fail (an error status)', sent: fromZero, status: 416, headers: {}, expected: { type: 'fail' } },
  // other statuses
  { name: '404: fail, not a body to write', sent: resumed, status: 404, headers: {}, expected: { type: 'fail' } },
  { name: '304: fail, not a body to write', sent: resumed, status: 304, headers: {}, expected: { type: 'fail' } },
  { name: '503: fail, not a body to write', sent: fromZero, status: 503, headers: {}, expected: { type: 'fail' } },
];

describe('decideResume', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(decideResume(row.sent, { status: row.status, headers: row.headers }, row.capabilities ?? full)).toEqual(row.expected);
    });
  }
});

const headerRows: ReadonlyArray<{
  name: string;
  offset: number;
  validator: Validator | null;
  capabilities: TransportCapabilities;
  expected: HeaderMap;
}> = [
  { name: 'nothing kept: only Accept-Encoding identity', offset: 0, validator: v1, capabilities: full, expected: { 'accept-encoding': 'identity' } },
  { name: 'kept bytes under a strong ETag: Range and If-Range', offset: N, validator: v1, capabilities: full, expected: { 'accept-encoding': 'identity', range: `bytes=${N}-`, 'if-range': '"v1"' } },
  { name: 'A5 kept bytes under a strong Last-Modified: If-Range carries the date', offset: N, validator: strongDate, capabilities: full, expected: { 'accept-encoding': 'identity', range: `bytes=${N}-`, 'if-range': modified } },
  { name: 'A5 kept bytes under a weak ETag: no Range (#8)', offset: N, validator: weakV1, capabilities: full, expected: { 'accept-encoding': 'identity' } },
  { name: 'A5 kept bytes under a Last-Modified within 1 s of Date: no Range (#8)', offset: N, validator: weakDate, capabilities: full, expected: { 'accept-encoding': 'identity' } },
  { name: 'kept bytes with no validator: no Range (#8)', offset: N, validator: null, capabilities: full, expected: { 'accept-encoding': 'identity' } },
  { name: 'a transport that cannot set Accept-Encoding: no header and no Range', offset: N, validator: v1, capabilities: noAcceptEncoding, expected: {} },
  { name: 'a transport that cannot see validators: Accept-Encoding but no Range', offset: N, validator: v1, capabilities: noValidators, expected: { 'accept-encoding': 'identity' } },
  { name: 'offsets past 2^32 are written exactly', offset: 2 ** 40 + 1, validator: v1, capabilities: full, expected: { 'accept-encoding': 'identity', range: 'bytes=1099511627777-', 'if-range': '"v1"' } },
];

describe('resumeRequestHeaders', () => {
  for (const row of headerRows) {
    it(row.name, () => {
      expect(resumeRequestHeaders({ offset: row.offset, validator: row.validator }, row.capabilities)).toEqual(row.expected);
    });
  }
});
