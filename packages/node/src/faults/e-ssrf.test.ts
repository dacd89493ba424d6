import type { ServerResponse } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession, OpenSessionOptions } from '../host/open-session.js';
import {
  createCleanup,
  openTestSession,
  resolverOf,
  scratchDirectory,
  setEnvironment,
  startLoopbackTunnelProxy,
  startRecordingServer,
  within,
  type RecordingServer,
} from './hostile-servers.test-helpers.js';

// faults.md E31 on the real Node adapter, with the SSRF guard on: loopback, private, link-local
// and metadata targets are refused before any byte reaches them, whether the app asked for them,
// a name resolved to them, or a redirect pointed at them.

const guarded: Partial<OpenSessionOptions> = { transport: { ssrfGuard: true } };

describe('E31: the SSRF guard', () => {
  const cleanup = createCleanup();
  let a: RecordingServer;
  let b: RecordingServer;

  beforeEach(async () => {
    const handler = (request: { url?: string | undefined }, response: ServerResponse): void => {
      const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
      if (to !== null) response.writeHead(302, { location: to, 'content-length': '0' }).end();
      else response.writeHead(200, { 'content-length': '2' }).end('ok');
    };
    a = await startRecordingServer(cleanup, handler);
    b = await startRecordingServer(cleanup, handler);
  });
  afterEach(() => cleanup.run());

  async function open(options: Partial<OpenSessionOptions>): Promise<NodeSession> {
    return openTestSession(cleanup, await scratchDirectory(cleanup), options);
  }

  async function outcomeOf(session: NodeSession, url: string, timeoutForRequest?: number) {
    const task = await session.data({ url, ...(timeoutForRequest === undefined ? {} : { timeoutForRequest }) });
    return within(task.outcome(), 10_000, `the task of ${url}`);
  }

  it('refuses loopback, private, shared, link-local and metadata URLs with a final PermissionDenied, sending nothing', async () => {
    const session = await open(guarded);
    const urls = [
      `http://127.0.0.1:${b.port}/`,
      `http://127.1.2.3:${b.port}/`,
      `http://[::1]:${b.port}/`,
      `http://[::ffff:127.0.0.1]:${b.port}/`,
      `http://localhost:${b.port}/`,
      `http://2130706433:${b.port}/`,
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.100.100.200/',
      'http://169.254.1.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ];
    for (const url of urls) {
      const outcome = await outcomeOf(session, url);
      expect({ url, code: outcome.error?.code, retryable: outcome.error?.retryable }).toEqual({ url, code: 'PermissionDenied', retryable: false });
    }
    expect(b.requests).toHaveLength(0);
  });

  it('refuses a name that resolves to a private address, at connect time', async () => {
    const session = await open({ transport: { ssrfGuard: true, lookup: resolverOf({ 'looks-public.test': '127.0.0.1' }) } });
    const outcome = await outcomeOf(session, `http://looks-public.test:${b.port}/`);
    expect(outcome.error).toMatchObject({ code: 'PermissionDenied', retryable: false });
    expect(outcome.error?.message).toContain('looks-public.test');
    expect(b.requests).toHaveLength(0);
  });

  it('checks every connection: a name that resolved public, then private, is refused on the retry', async () => {
    const answers: string[] = [];
    // The first answer is the documentation prefix 2001:db8::/32, routed nowhere: the attempt
    // fails (unreachable, or idle), is retried, and the name now resolves to loopback.
    const rebinding: LookupFunction = (hostname, options, callback) => {
      const address = answers.length === 0 ? '2001:db8::1' : '127.0.0.1';
      answers.push(address);
      resolverOf({ [hostname]: address })(hostname, options, callback);
    };
    const session = await open({ transport: { ssrfGuard: true, lookup: rebinding } });
    const outcome = await outcomeOf(session, `http://rebinding.test:${b.port}/`, 1_000);
    expect(answers).toEqual(['2001:db8::1', '127.0.0.1']);
    expect(outcome.error).toMatchObject({ code: 'PermissionDenied' });
    expect(b.requests).toHaveLength(0);
  });

  it('is off by default: the same loopback server is reached', async () => {
    const outcome = await outcomeOf(await open({}), `${b.origin}/`);
    expect(outcome.phase).toBe('succeeded');
    expect(b.requests).toHaveLength(1);
  });

  describe('redirects, from a server reached under a public name (through a proxy)', () => {
    let session: NodeSession;
    let tunnels: string[];
    beforeEach(async () => {
      const proxy = await startLoopbackTunnelProxy(cleanup);
      tunnels = proxy.tunnels;
      setEnvironment(cleanup, { HTTP_PROXY: proxy.origin, http_proxy: undefined, HTTPS_PROXY: undefined, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined });
      session = await open({ transport: { ssrfGuard: true, proxyFromEnvironment: true } });
    });

    it('a redirect to another public name is followed', async () => {
      const outcome = await outcomeOf(session, `http://a.example.test:${a.port}/start?to=${encodeURIComponent(`http://b.example.test:${b.port}/ok`)}`);
      expect(outcome.phase).toBe('succeeded');
      expect(b.requests).toHaveLength(1);
      expect(tunnels).toEqual([`a.example.test:${a.port}`, `b.example.test:${b.port}`]);
    });

    it.each([
      ['loopback', () => `http://127.0.0.1:${b.port}/`],
      ['localhost', () => `http://localhost:${b.port}/`],
      ['IPv6 loopback', () => `http://[::1]:${b.port}/`],
      ['private', () => 'http://10.1.2.3/'],
      ['link-local', () => 'http://169.254.10.10/'],
      ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/iam/'],
    ])('a redirect to %s is refused with PermissionDenied; nothing reaches it', async (_name, target) => {
      const outcome = await outcomeOf(session, `http://a.example.test:${a.port}/start?to=${encodeURIComponent(target())}`);
      expect(outcome.error).toMatchObject({ code: 'PermissionDenied', retryable: false });
      expect(a.requests).toHaveLength(1);
      expect(b.requests).toHaveLength(0);
      expect(tunnels).toEqual([`a.example.test:${a.port}`]);
    });
  });
});
