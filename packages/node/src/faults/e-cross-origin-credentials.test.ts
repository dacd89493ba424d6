import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession, OpenSessionOptions } from '../host/open-session.js';
import {
  createCleanup,
  hasOpenssl,
  makeCertificate,
  openTestSession,
  resolverOf,
  scratchDirectory,
  startRecordingServer,
  within,
  type Certificate,
  type RecordingServer,
  type SeenRequest,
} from './hostile-servers.test-helpers.js';

// faults.md E27 and invariant #21 on the real Node adapter: after a redirect to another origin
// (host, port or scheme), and after coming back (A to B to A), Authorization,
// Proxy-Authorization, Cookie and the app's own sensitive headers are never sent.

const secretHeaders = {
  authorization: 'Bearer SECRET-authorization',
  cookie: 'sid=SECRET-cookie',
  'proxy-authorization': 'Basic SECRET-proxy',
  'x-api-key': 'SECRET-api-key',
};
const secretNames = Object.keys(secretHeaders);

/** The secrets one request carried: by name, and anywhere in any value. */
function secretsIn(headers: IncomingHttpHeaders): string[] {
  const found = Object.keys(headers).filter((name) => secretNames.includes(name));
  for (const value of Object.values(headers)) if (String(value).includes('SECRET')) found.push(String(value));
  return found;
}

describe('E27: credentials never follow a redirect to another origin', () => {
  const cleanup = createCleanup();
  let tls: Certificate | null = null;
  let certificates: string;
  let a: RecordingServer;
  let b: RecordingServer;

  beforeAll(async () => {
    certificates = await scratchDirectory(cleanup, 'bgsession-faults-tls-');
    if (hasOpenssl) tls = await makeCertificate(certificates, 'loopback', 'IP:127.0.0.1', 2);
  });
  afterAll(() => cleanup.run());

  const perTest = createCleanup();
  beforeEach(async () => {
    // A: `/start?to=<url>` redirects there; `/back` answers. B: redirects to `?to=` or answers.
    const handler = (request: { url?: string | undefined }, response: ServerResponse): void => {
      const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
      if (to !== null) response.writeHead(307, { location: to, 'content-length': '0' }).end();
      else response.writeHead(200, { 'content-length': '2' }).end('ok');
    };
    a = await startRecordingServer(perTest, handler);
    b = await startRecordingServer(perTest, handler);
  });
  afterEach(() => perTest.run());

  async function run(url: string, options: Partial<OpenSessionOptions>, headers: Readonly<Record<string, string>> = secretHeaders): Promise<void> {
    const session: NodeSession = await openTestSession(perTest, await scratchDirectory(perTest), {
      ...options,
      transport: { lookup: resolverOf({ 'b.test': '127.0.0.1' }), ...(tls === null ? {} : { ca: tls.cert }), ...options.transport },
    });
    const outcome = await within((await session.data({ url, headers })).outcome(), 5_000, `the task of ${url}`);
    expect(outcome.phase).toBe('succeeded');
  }

  const declared = { sensitiveHeaders: ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'] };
  const urls = {
    'another port': () => `${b.origin}/b`,
    'another host': () => `http://b.test:${b.port}/b`,
  };

  it.each(Object.keys(urls) as (keyof typeof urls)[])('to %s: B receives none of them, A received them all', async (where) => {
    await run(`${a.origin}/start?to=${encodeURIComponent(urls[where]())}`, { configuration: declared });
    expect(secretsIn(a.requests[0]?.headers ?? {})).toHaveLength(secretNames.length * 2);
    expect(b.requests).toHaveLength(1);
    expect(secretsIn(b.requests[0]?.headers ?? {})).toEqual([]);
  });

  it('from A to B and back to A: stripped once, they stay stripped', async () => {
    const back = `${a.origin}/back`;
    await run(`${a.origin}/start?to=${encodeURIComponent(`${b.origin}/b?to=${encodeURIComponent(back)}`)}`, { configuration: declared });
    const seen: SeenRequest[] = [...a.requests, ...b.requests];
    expect(seen.map((request) => request.url)).toEqual([expect.stringMatching(/^\/start/), '/back', expect.stringMatching(/^\/b\?/)]);
    expect(secretsIn(b.requests[0]?.headers ?? {})).toEqual([]);
    expect(secretsIn(a.requests[1]?.headers ?? {})).toEqual([]);
  });

  it.skipIf(!hasOpenssl)('to another scheme (https on another port): B receives none of them', async () => {
    if (tls === null) return;
    const secure = await startRecordingServer(perTest, (_request, response) => response.writeHead(200, { 'content-length': '2' }).end('ok'), tls);
    await run(`${a.origin}/start?to=${encodeURIComponent(`${secure.origin}/s`)}`, { configuration: declared });
    expect(secure.requests).toHaveLength(1);
    expect(secretsIn(secure.requests[0]?.headers ?? {})).toEqual([]);
  });

  it('the session-wide additionalHeaders are stripped the same way', async () => {
    await run(`${a.origin}/start?to=${encodeURIComponent(`${b.origin}/b`)}`, { configuration: { ...declared, additionalHeaders: secretHeaders } }, {});
    expect(secretsIn(a.requests[0]?.headers ?? {})).toHaveLength(secretNames.length * 2);
    expect(secretsIn(b.requests[0]?.headers ?? {})).toEqual([]);
  });

  it('Authorization, Cookie and Proxy-Authorization are stripped even when the app declares only its own sensitive header', async () => {
    // The app lists x-api-key; the three credential headers are sensitive whatever it lists
    // (faults.md E27, #21), in its task headers and in its session-wide additionalHeaders.
    const own = { sensitiveHeaders: ['x-api-key'] };
    await run(`${a.origin}/start?to=${encodeURIComponent(`${b.origin}/b`)}`, { configuration: own });
    expect(secretsIn(b.requests[0]?.headers ?? {})).toEqual([]);
    await run(`${a.origin}/start?to=${encodeURIComponent(`${b.origin}/b2`)}`, { configuration: { ...own, additionalHeaders: secretHeaders } }, {});
    expect(b.requests[1]?.url).toBe('/b2');
    expect(secretsIn(b.requests[1]?.headers ?? {})).toEqual([]);
  });
});
