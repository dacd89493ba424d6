import type { LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { attemptRequest, readAll, startHttpServer } from './test-servers.test-helpers.js';
import { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function transport(options: UndiciTransportOptions): UndiciTransport {
  const created = createUndiciTransport({ proxyFromEnvironment: false, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** A resolver that answers every name with `address`, as a public DNS server could be made to. */
function resolvesTo(address: string): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
    else callback(null, address, address.includes(':') ? 6 : 4);
  };
}

async function countingServer(): Promise<{ origin: string; port: string; hits: () => number }> {
  let hits = 0;
  const server = await startHttpServer((_request, response) => {
    hits += 1;
    response.writeHead(200, { 'content-length': '2' }).end('ok');
  });
  cleanups.push(() => server.close());
  return { origin: server.origin, port: new URL(server.origin).port, hits: () => hits };
}

describe('undici transport: SSRF guard', () => {
  it('refuses loopback literals with a final PermissionDenied, and never connects', async () => {
    const server = await countingServer();
    const guarded = transport({ ssrfGuard: true });
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost', '2130706433']) {
      const error = await expectRejection(guarded.start(attemptRequest(`http://${host}:${server.port}/`)), 'PermissionDenied');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('SSRF guard');
    }
    expect(server.hits()).toBe(0);
  });

  it('refuses a name that resolves to a private address at connect time', async () => {
    const server = await countingServer();
    const error = await expectRejection(
      transport({ ssrfGuard: true, lookup: resolvesTo('127.0.0.1') }).start(attemptRequest(`http://looks-public.test:${server.port}/`)),
      'PermissionDenied',
    );
    expect(error.message).toContain('looks-public.test');
    expect(error.bodyMayHaveBeenSent).toBe(false);
    expect(server.hits()).toBe(0);
  });

  it('lets the same requests through when it is off (the default)', async () => {
    const server = await countingServer();
    const open = transport({ lookup: resolvesTo('127.0.0.1') });
    for (const url of [`${server.origin}/`, `http://looks-public.test:${server.port}/`]) {
      const response = await open.start(attemptRequest(url));
      expect(response.head.status).toBe(200);
      await readAll(response.body);
    }
    expect(server.hits()).toBe(2);
  });
});

describe('undici transport: DNS', () => {
  it('a name that does not resolve is DnsFailure, and the request never left', async () => {
    const notFound: LookupFunction = (hostname, _options, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 4);
    for (const ssrfGuard of [false, true]) {
      const error = await expectRejection(
        transport({ ssrfGuard, lookup: notFound }).start(attemptRequest('http://nowhere.invalid/', { method: 'POST' })),
        'DnsFailure',
      );
      expect(error.retryable).toBe(true);
      expect(error.bodyMayHaveBeenSent).toBe(false);
    }
  });
});
