import { describe, expect, it } from 'vitest';
import type { RedirectPolicy } from '../model/configuration.js';
import type { HttpRequest } from '../model/http.js';
import { redirectDecision, type RedirectDecision, type RedirectInput } from './redirect-decision.js';

const policy: RedirectPolicy = { maxHops: 20, allowCrossOrigin: true, allowHttpsToHttp: false };
const get: HttpRequest = { url: 'https://a.example/dir/file?x=1', method: 'GET', headers: { accept: '*/*' } };
const post: HttpRequest = {
  url: 'https://a.example/upload',
  method: 'POST',
  headers: { 'content-type': 'application/json', 'content-length': '12', 'content-encoding': 'gzip', accept: '*/*' },
};
const withSecrets: HttpRequest = {
  url: 'https://a.example/private',
  method: 'GET',
  headers: { authorization: 'Bearer t', cookie: 'sid=1', 'proxy-authorization': 'Basic p', 'x-api-key': 'k', host: 'a.example', accept: '*/*' },
};

const follow = (request: HttpRequest, bodyDropped = false): RedirectDecision => ({ type: 'follow', request, bodyDropped });
const refused = { type: 'refuse', code: 'RedirectRefused' } as const;
const invalid = { type: 'refuse', code: 'InvalidUrl' } as const;

const rows: ReadonlyArray<{ name: string; input: Partial<RedirectInput>; expected: RedirectDecision | typeof refused | typeof invalid }> = [
  // what is a redirect
  { name: '200 is not a redirect', input: { status: 200, location: 'https://a.example/x' }, expected: { type: 'notRedirect' } },
  { name: '304 is not a redirect', input: { status: 304, location: 'https://a.example/x' }, expected: { type: 'notRedirect' } },
  { name: '300 is not followed', input: { status: 300, location: 'https://a.example/x' }, expected: { type: 'notRedirect' } },
  { name: 'a 302 without Location is the response', input: { status: 302, location: undefined }, expected: { type: 'notRedirect' } },
  { name: 'a 302 with an empty Location is the response', input: { status: 302, location: '  ' }, expected: { type: 'notRedirect' } },
  // methods and bodies
  { name: '301 keeps a GET', input: { status: 301, location: 'https://a.example/new' }, expected: follow({ ...get, url: 'https://a.example/new' }) },
  { name: '301 turns a POST into a GET without body headers', input: { from: post, status: 301, location: '/next' }, expected: follow({ url: 'https://a.example/next', method: 'GET', headers: { accept: '*/*' } }, true) },
  { name: '302 turns a POST into a GET without body headers', input: { from: post, status: 302, location: '/next' }, expected: follow({ url: 'https://a.example/next', method: 'GET', headers: { accept: '*/*' } }, true) },
  { name: '302 keeps a PUT', input: { from: { ...post, method: 'PUT' }, status: 302, location: '/next' }, expected: follow({ ...post, method: 'PUT', url: 'https://a.example/next' }) },
  { name: '303 turns a PUT into a GET', input: { from: { ...post, method: 'PUT' }, status: 303, location: '/next' }, expected: follow({ url: 'https://a.example/next', method: 'GET', headers: { accept: '*/*' } }, true) },
  { name: '303 turns a POST into a GET', input: { from: post, status: 303, location: '/next' }, expected: follow({ url: 'https://a.example/next', method: 'GET', headers: { accept: '*/*' } }, true) },
  { name: '303 keeps a HEAD', input: { from: { ...get, method: 'HEAD' }, status: 303, location: '/next' }, expected: follow({ ...get, method: 'HEAD', url: 'https://a.example/next' }) },
  { name: '303 keeps a GET', input: { status: 303, location: '/next' }, expected: follow({ ...get, url: 'https://a.example/next' }) },
  { name: '307 keeps a POST and its body', input: { from: post, status: 307, location: '/next' }, expected: follow({ ...post, url: 'https://a.example/next' }) },
  { name: '308 keeps a POST and its body', input: { from: post, status: 308, location: '/next' }, expected: follow({ ...post, url: 'https://a.example/next' }) },
  // resolution
  { name: 'a relative Location resolves against the current URL', input: { status: 302, location: 'other?y=2' }, expected: follow({ ...get, url: 'https://a.example/dir/other?y=2' }) },
  { name: 'a parent-relative Location resolves against the current URL', input: { status: 302, location: '../up' }, expected: follow({ ...get, url: 'https://a.example/up' }) },
  { name: 'a scheme-relative Location keeps the scheme', input: { status: 302, location: '//b.example/x' }, expected: follow({ ...get, url: 'https://b.example/x' }) },
  { name: 'an unparsable Location: InvalidUrl', input: { status: 302, location: 'https://exa mple.com:99999/' }, expected: invalid },
  { name: 'an unparsable current URL: InvalidUrl', input: { from: { ...get, url: 'not a url' }, status: 302, location: '/x' }, expected: invalid },
  // schemes (E26)
  { name: 'E26 a redirect to file: is refused', input: { status: 302, location: 'file:///etc/passwd' }, expected: refused },
  { name: 'E26 a redirect to data: is refused', input: { status: 302, location: 'data:text/plain,hello' }, expected: refused },
  { name: 'E26 a redirect to javascript: is refused', input: { status: 302, location: 'javascript:alert(1)' }, expected: refused },
  { name: 'E26 a redirect to a Unix socket (unix:) is refused', input: { status: 302, location: 'unix:/var/run/docker.sock' }, expected: refused },
  { name: 'E26 a redirect to a Unix socket (http+unix:) is refused', input: { status: 302, location: 'http+unix://%2Fvar%2Frun%2Fdocker.sock/info' }, expected: refused },
  { name: 'a redirect to ftp: is refused', input: { status: 302, location: 'ftp://a.example/x' }, expected: refused },
  { name: 'E26 https to http is refused by default', input: { status: 302, location: 'http://a.example/x' }, expected: refused },
  { name: 'https to http is followed when the policy allows it', input: { status: 302, location: 'http://a.example/x', policy: { ...policy, allowHttpsToHttp: true } }, expected: follow({ ...get, url: 'http://a.example/x' }) },
  { name: 'http to https is followed', input: { from: { ...get, url: 'http://a.example/x' }, status: 302, location: 'https://a.example/x' }, expected: follow({ ...get, url: 'https://a.example/x' }) },
  { name: 'a Location carrying user:password is refused', input: { status: 302, location: 'https://user:pass@a.example/x' }, expected: refused },
  // hops (E26)
  { name: 'the 20th hop is followed', input: { status: 302, location: '/x', hops: 19 }, expected: follow({ ...get, url: 'https://a.example/x' }) },
  { name: 'E26 the 21st hop is refused (at most 20)', input: { status: 302, location: '/x', hops: 20 }, expected: refused },
  { name: 'E26 a loop ends at the hop limit', input: { status: 302, location: get.url, hops: 20 }, expected: refused },
  { name: 'a hop limit of 0 refuses every redirect', input: { status: 302, location: '/x', policy: { ...policy, maxHops: 0 } }, expected: refused },
  // origins and credentials (E27, #21)
  { name: 'a cross-origin redirect is refused when the policy forbids it', input: { status: 302, location: 'https://b.example/x', policy: { ...policy, allowCrossOrigin: false } }, expected: refused },
  { name: 'a same-origin redirect is followed when cross-origin is forbidden', input: { status: 302, location: '/x', policy: { ...policy, allowCrossOrigin: false } }, expected: follow({ ...get, url: 'https://a.example/x' }) },
  {
    name: 'E27 same origin keeps credentials',
    input: { from: withSecrets, status: 302, location: '/elsewhere', sensitiveHeaders: ['x-api-key'] },
    expected: follow({ ...withSecrets, url: 'https://a.example/elsewhere' }),
  },
  {
    name: 'E27 another host: credentials and the app sensitive headers are stripped',
    input: { from: withSecrets, status: 302, location: 'https://b.example/x', sensitiveHeaders: ['X-Api-Key'] },
    expected: follow({ url: 'https://b.example/x', method: 'GET', headers: { accept: '*/*' } }),
  },
  {
    name: 'E27 another port is another origin: credentials stripped',
    input: { from: withSecrets, status: 307, location: 'https://a.example:8443/x', sensitiveHeaders: [] },
    expected: follow({ url: 'https://a.example:8443/x', method: 'GET', headers: { 'x-api-key': 'k', accept: '*/*' } }),
  },
  {
    name: 'E27 another scheme is another origin: credentials stripped',
    input: { from: withSecrets, status: 302, location: 'http://a.example/x', policy: { ...policy, allowHttpsToHttp: true }, sensitiveHeaders: ['x-api-key'] },
    expected: follow({ url: 'http://a.example/x', method: 'GET', headers: { accept: '*/*' } }),
  },
  {
    name: 'E27 Authorization, Cookie and Proxy-Authorization go even when the app list omits them',
    input: { from: withSecrets, status: 302, location: 'https://b.example/x', sensitiveHeaders: ['x-api-key'] },
    expected: follow({ url: 'https://b.example/x', method: 'GET', headers: { accept: '*/*' } }),
  },
  {
    name: 'E27 the default port written out is the same origin',
    input: { from: withSecrets, status: 302, location: 'https://a.example:443/x', sensitiveHeaders: [] },
    expected: follow({ ...withSecrets, url: 'https://a.example/x' }),
  },
  {
    name: 'A9 a cross-origin redirect (a presigned link) keeps Range and If-Range, so the download still resumes',
    input: { from: { ...get, headers: { range: 'bytes=4096-', 'if-range': '"v1"', 'accept-encoding': 'identity' } }, status: 302, location: 'https://cdn.example/signed?sig=abc' },
    expected: follow({ url: 'https://cdn.example/signed?sig=abc', method: 'GET', headers: { range: 'bytes=4096-', 'if-range': '"v1"', 'accept-encoding': 'identity' } }),
  },
];

describe('redirectDecision', () => {
  for (const row of rows) {
    it(row.name, () => {
      const decision = redirectDecision({ from: get, status: 302, location: undefined, hops: 0, policy, sensitiveHeaders: [], ...row.input });
      expect(decision).toMatchObject(row.expected);
      if (row.expected.type === 'follow') expect(decision).toEqual(row.expected);
      if (decision.type === 'refuse') expect(decision.message).not.toBe('');
    });
  }

  it('E27 A to B back to A: the stripped credentials do not come back', () => {
    const toB = redirectDecision({ from: withSecrets, status: 302, location: 'https://b.example/x', hops: 0, policy, sensitiveHeaders: ['x-api-key'] });
    if (toB.type !== 'follow') throw new Error('expected to follow A -> B');
    const backToA = redirectDecision({ from: toB.request, status: 302, location: 'https://a.example/private', hops: 1, policy, sensitiveHeaders: ['x-api-key'] });
    expect(backToA).toEqual(follow({ url: 'https://a.example/private', method: 'GET', headers: { accept: '*/*' } }));
  });
});
