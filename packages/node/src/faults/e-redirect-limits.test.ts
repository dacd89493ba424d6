import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskOutcome } from '@bgsession/core';
import type { NodeSession } from '../host/open-session.js';
import {
  createCleanup,
  hasOpenssl,
  makeCertificate,
  openTestSession,
  scratchDirectory,
  startRecordingServer,
  until,
  within,
  type Certificate,
  type RecordingServer,
} from './hostile-servers.test-helpers.js';

// faults.md E26 on the real Node adapter: redirects out of http(s), https to http, 21 hops and a
// loop are refused with typed codes, after at most 20 hops, and never retried.

describe('E26: redirects the policy refuses', () => {
  const cleanup = createCleanup();
  let server: RecordingServer;
  let session: NodeSession;

  beforeEach(async () => {
    const parent = await scratchDirectory(cleanup);
    server = await startRecordingServer(cleanup, (request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const to = url.searchParams.get('to');
      const hop = /^\/hop\/(\d+)$/.exec(url.pathname);
      if (to !== null) response.writeHead(302, { location: to, 'content-length': '0' }).end();
      else if (url.pathname === '/loop') response.writeHead(307, { location: '/loop', 'content-length': '0' }).end();
      else if (hop !== null && Number(hop[1]) < Number(url.searchParams.get('stop') ?? Infinity)) {
        response.writeHead(301, { location: `/hop/${Number(hop[1]) + 1}${url.search}`, 'content-length': '0' }).end();
      } else response.writeHead(200, { 'content-length': '4' }).end('done');
    });
    session = await openTestSession(cleanup, parent);
  });
  afterEach(() => cleanup.run());

  async function fetchData(path: string): Promise<TaskOutcome> {
    const task = await session.data({ url: `${server.origin}${path}` });
    return within(task.outcome(), 5_000, `the data task of ${path}`);
  }

  it.each([
    ['file:', 'file:///etc/passwd'],
    ['data:', 'data:text/plain,hello'],
    ['a Unix socket (unix:)', 'unix:/var/run/docker.sock'],
    ['a Unix socket (http+unix:)', 'http+unix://%2Fvar%2Frun%2Fdocker.sock/v1/containers'],
    ['javascript:', 'javascript:alert(1)'],
  ])('a redirect to %s is RedirectRefused, final, after one request', async (_name, location) => {
    const outcome = await fetchData(`/start?to=${encodeURIComponent(location)}`);
    expect(outcome.phase).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'RedirectRefused', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('20 hops are followed', async () => {
    const outcome = await fetchData('/hop/0?stop=20');
    expect(outcome.phase).toBe('succeeded');
    expect(server.requests).toHaveLength(21);
  });

  it('a 21st hop is RedirectRefused: the server sees 21 requests, no more', async () => {
    const outcome = await fetchData('/hop/0');
    expect(outcome.error).toMatchObject({ code: 'RedirectRefused', retryable: false });
    expect(outcome.error?.message).toMatch(/20/);
    expect(server.requests).toHaveLength(21);
    expect(server.requests.at(-1)?.url).toBe('/hop/20');
  });

  it('a redirect loop ends with RedirectRefused after 20 hops', async () => {
    const outcome = await fetchData('/loop');
    expect(outcome.error).toMatchObject({ code: 'RedirectRefused' });
    expect(server.requests).toHaveLength(21);
  });

  it('a redirect whose response has a body larger than the read-ahead releases that connection', async () => {
    // 4 MiB is far past the transport's 64 KiB read-ahead: undici stops reading until someone
    // consumes or aborts the body. A body left paused holds its connection (one of the origin's
    // pool) for as long as the session lives; every such redirect or restart leaks one more.
    let released = false;
    const big = await startRecordingServer(cleanup, (request, response) => {
      if (request.url !== '/big-redirect') {
        response.writeHead(200, { 'content-length': '2' }).end('ok');
        return;
      }
      response.on('close', () => (released = true));
      response.writeHead(302, { location: '/ok', 'content-length': String(4 * 1024 * 1024) }).end(Buffer.alloc(4 * 1024 * 1024));
    });
    const outcome = await within((await session.data({ url: `${big.origin}/big-redirect` })).outcome(), 5_000, 'the redirected task');
    expect(outcome.phase).toBe('succeeded');
    await until(() => released, 3_000, 'the redirect response to be released (read or its connection closed)');
  });

  it('downloads are held to the same rules', async () => {
    const task = await session.download({ url: `${server.origin}/start?to=${encodeURIComponent('file:///etc/passwd')}` });
    const outcome = await within(task.outcome(), 5_000, 'the download');
    expect(outcome.error).toMatchObject({ code: 'RedirectRefused' });
    expect(server.requests).toHaveLength(1);
  });
});

describe.skipIf(!hasOpenssl)('E26: https to http', () => {
  const cleanup = createCleanup();
  let certificate: Certificate;
  let directory: string;
  beforeAll(async () => {
    directory = await scratchDirectory(cleanup, 'bgsession-faults-tls-');
    certificate = await makeCertificate(directory, 'loopback', 'IP:127.0.0.1', 2);
  });
  afterAll(() => cleanup.run());

  it('is refused by default (RedirectRefused) and the http server never hears of it; allowHttpsToHttp opts in', async () => {
    const plain = await startRecordingServer(cleanup, (_request, response) => response.writeHead(200, { 'content-length': '5' }).end('plain'));
    const secure = await startRecordingServer(cleanup, (_request, response) => response.writeHead(302, { location: `${plain.origin}/x`, 'content-length': '0' }).end(), certificate);
    const refusing = await openTestSession(cleanup, await scratchDirectory(cleanup), { transport: { ca: certificate.cert } });
    const refused = await within((await refusing.data({ url: `${secure.origin}/secure` })).outcome(), 5_000, 'the refused redirect');
    expect(refused.error).toMatchObject({ code: 'RedirectRefused', retryable: false });
    expect(secure.requests).toHaveLength(1);
    expect(plain.requests).toHaveLength(0);

    const allowing = await openTestSession(cleanup, await scratchDirectory(cleanup), {
      transport: { ca: certificate.cert },
      configuration: { redirect: { allowHttpsToHttp: true } },
    });
    const allowed = await within((await allowing.data({ url: `${secure.origin}/secure` })).outcome(), 5_000, 'the allowed redirect');
    expect(allowed.phase).toBe('succeeded');
    expect(plain.requests).toHaveLength(1);
  });
});
