import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { ResumeData } from '../model/resume-data.js';
import { encodeBase64Url } from './base64url.js';
import { decodeResumeData, encodeResumeData } from './resume-data-codec.js';

const data: ResumeData = {
  version: 2,
  sessionIdentifier: 'downloads',
  originalUrl: 'https://example.com/big.iso',
  currentRequest: { url: 'https://cdn.example.com/big.iso?sig=1', method: 'GET', headers: { accept: '*/*' } },
  validator: { type: 'etag', value: '"v1"', weak: false },
  bytesKept: 1_048_576,
  expectedLength: 4_194_304,
  partKey: 'part-17',
  bootIdentity: 'b7a1',
  expiresAt: 1_700_000_000_000,
  credentialHeaders: ['authorization'],
};

function token(json: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(json)));
}

function field(value: unknown): string | undefined {
  const result = decodeResumeData(value);
  if (E.isRight(result)) throw new Error('expected InvalidResumeData');
  expect(result.left.code).toBe('InvalidResumeData');
  return result.left.field;
}

describe('resume data', () => {
  it('is an opaque base64url string that decodes back to the same value', () => {
    const encoded = encodeResumeData(data);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeResumeData(encoded)).toEqual(E.right(data));
  });

  it('reads resume data of version 1, made before it named its credential headers, as naming none', () => {
    const { credentialHeaders: _names, ...v1 } = data;
    expect(decodeResumeData(token({ ...v1, version: 1 }))).toEqual(E.right({ ...data, credentialHeaders: [] }));
  });

  it('never holds a credential value: only the names of the headers a resumed task needs again', () => {
    expect(field(token({ ...data, credentialHeaders: [{ authorization: 'Bearer x' }] }))).toBe('resumeData.credentialHeaders[0]');
  });

  it.each([
    ['not a string', 42, 'resumeData'],
    ['not base64url', 'not base64!', 'resumeData'],
    ['not JSON', encodeBase64Url(new TextEncoder().encode('{oops')), 'resumeData'],
    ['not UTF-8', encodeBase64Url(new Uint8Array([0xff, 0xfe, 0x7b])), 'resumeData'],
    ['a JSON array', token([1, 2]), 'resumeData'],
    ['without a version', token({ ...data, version: undefined }), 'resumeData.version'],
    ['with a non-http URL', token({ ...data, originalUrl: 'file:///etc/passwd' }), 'resumeData.originalUrl'],
    ['with negative bytes kept', token({ ...data, bytesKept: -1 }), 'resumeData.bytesKept'],
    ['with an unknown validator', token({ ...data, validator: { type: 'hash', value: 'x' } }), 'resumeData.validator.type'],
    ['with an unknown key', token({ ...data, sensitive: 'x' }), 'resumeData.sensitive'],
    ['nested beyond reason', encodeBase64Url(new TextEncoder().encode(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)), 'resumeData'],
    ['too long', 'A'.repeat(2 * 1024 * 1024), 'resumeData'],
  ])('refuses resume data %s as InvalidResumeData naming what was wrong', (_name, value, expected) => {
    expect(field(value)).toBe(expected);
  });
});
