import { describe, expect, it } from 'vitest';
import type { HeaderMap } from '../model/http.js';
import { hasSensitiveHeaders, stripSensitiveHeaders } from './sensitive-headers.js';

const defaults = ['authorization', 'cookie', 'proxy-authorization'];

const rows: ReadonlyArray<{ name: string; headers: HeaderMap; names: readonly string[]; stripped: HeaderMap; has: boolean }> = [
  { name: 'the default credentials go, other headers stay', headers: { authorization: 'Bearer t', cookie: 'a=b', 'proxy-authorization': 'Basic x', accept: '*/*' }, names: defaults, stripped: { accept: '*/*' }, has: true },
  { name: 'names are compared case-insensitively (configured in upper case)', headers: { authorization: 'Bearer t', accept: '*/*' }, names: ['Authorization'], stripped: { accept: '*/*' }, has: true },
  { name: 'names are compared case-insensitively (header in mixed case)', headers: { 'X-Api-Key': 'k', accept: '*/*' }, names: ['x-api-key'], stripped: { accept: '*/*' }, has: true },
  { name: 'an app-declared header goes', headers: { 'x-api-key': 'k', range: 'bytes=1-' }, names: [...defaults, 'x-api-key'], stripped: { range: 'bytes=1-' }, has: true },
  { name: 'nothing sensitive: unchanged', headers: { accept: '*/*', range: 'bytes=1-' }, names: defaults, stripped: { accept: '*/*', range: 'bytes=1-' }, has: false },
  { name: 'an empty list strips nothing', headers: { authorization: 'Bearer t' }, names: [], stripped: { authorization: 'Bearer t' }, has: false },
  { name: 'no headers', headers: {}, names: defaults, stripped: {}, has: false },
  { name: 'a prefix of a sensitive name is not sensitive', headers: { 'authorization-hint': 'x' }, names: defaults, stripped: { 'authorization-hint': 'x' }, has: false },
];

describe('stripSensitiveHeaders and hasSensitiveHeaders', () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(stripSensitiveHeaders(row.headers, row.names)).toEqual(row.stripped);
      expect(hasSensitiveHeaders(row.headers, row.names)).toBe(row.has);
    });
  }

  it('a header named __proto__ stays an ordinary header', () => {
    const headers: HeaderMap = JSON.parse('{"__proto__": "x", "cookie": "a=b"}') as HeaderMap;
    const stripped = stripSensitiveHeaders(headers, defaults);
    expect(Object.keys(stripped)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
  });

  it('does not change the headers it was given', () => {
    const headers = { authorization: 'Bearer t' };
    stripSensitiveHeaders(headers, defaults);
    expect(headers).toEqual({ authorization: 'Bearer t' });
  });
});
