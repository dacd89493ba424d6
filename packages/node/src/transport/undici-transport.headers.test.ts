import { readdir, mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { FaultSessions } from '../faults/fault-server.test-helpers.js';
import { within } from '../host/range-server.test-helpers.js';
import { attemptRequest, cleanUpAfterEach, readAll, startConnectProxy, startRawServer, withProxyEnvironment, testTransport } from './test-servers.test-helpers.js';
import { createUndiciTransport, type UndiciTransport } from './undici-transport.js';

const later = cleanUpAfterEach();
const transport = (): UndiciTransport => testTransport(later);

/** A raw server answering every request with `head` (bytes as given: UTF-8 stays UTF-8 on the wire), closing after each. */
async function answering(answer: (requestLine: string) => string): Promise<Awaited<ReturnType<typeof startRawServer>>> {
  const server = await startRawServer((socket, head) => socket.end(Buffer.from(answer(head.split('\r\n')[0] ?? ''), 'utf8')));
  later(() => server.close());
  return server;
}

async function sessions(): Promise<FaultSessions> {
  const created = await FaultSessions.create();
  later(() => created.dispose());
  return created;
}

describe('undici transport: response header values sent as raw UTF-8', () => {
  it('reads Location and Content-Disposition as UTF-8, as browsers and curl do', async () => {
    const server = await answering(
      () => 'HTTP/1.1 302 Found\r\nLocation: /café\r\nContent-Disposition: attachment; filename="résumé.pdf"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    const response = await transport().start(attemptRequest(`${server.origin}/`));
    expect(response.head.headers['location']).toBe('/café');
    expect(response.head.headers['content-disposition']).toBe('attachment; filename="résumé.pdf"');
    await readAll(response.body);
  });

  it('a session follows a UTF-8 Location to its percent-encoded path and saves a UTF-8 filename as sent', async () => {
    const server = await answering((line) =>
      line.startsWith('GET /a ')
        ? 'HTTP/1.1 302 Found\r\nLocation: /café\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
        : 'HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename="résumé.pdf"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok',
    );
    const opened = await sessions();
    const session = await opened.open({ transport: { proxyFromEnvironment: false } });
    const directory = opened.file('downloads');
    await mkdir(directory);
    const task = await session.download({ url: `${server.origin}/a`, destination: { type: 'directory', directory } });
    const outcome = await within(task.outcome(), 20_000, 'the download');
    expect(outcome.error?.code ?? null).toBeNull();
    expect(server.heads.map((head) => head.split(' ')[1])).toEqual(['/a', '/caf%C3%A9']);
    expect(await readdir(directory)).toEqual(['résumé.pdf']);
  });
});

describe('undici transport: several Location fields', () => {
  const twoLocations = (status: string, second: string): string => `HTTP/1.1 ${status}\r\nLocation: /b\r\nLocation: ${second}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;

  it('a redirect with two different Locations is a final RedirectRefused, not a request to both joined', async () => {
    const server = await answering(() => twoLocations('302 Found', '/c'));
    const error = await expectRejection(transport().start(attemptRequest(`${server.origin}/`)), 'RedirectRefused');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('2 different Location headers');
  });

  it('a redirect repeating one Location follows it; a response that is no redirect keeps the fields joined', async () => {
    const repeated = await answering(() => twoLocations('301 Moved Permanently', '/b'));
    const redirect = await transport().start(attemptRequest(`${repeated.origin}/`));
    expect(redirect.head.headers['location']).toBe('/b');
    await readAll(redirect.body);
    const plain = await answering(() => twoLocations('200 OK', '/c'));
    const response = await transport().start(attemptRequest(`${plain.origin}/`));
    expect(response.head.headers['location']).toBe('/b, /c');
    await readAll(response.body);
  });

  it('a session ends the task with RedirectRefused after one request, requesting neither target', async () => {
    const server = await answering(() => twoLocations('302 Found', '/c'));
    const session = await (await sessions()).open({ transport: { proxyFromEnvironment: false }, configuration: { retry: { maxAttempts: 3, base: 10, cap: 50 } } });
    const task = await session.data({ url: `${server.origin}/a` });
    const outcome = await within(task.outcome(), 20_000, 'the data task');
    expect(outcome.phase).toBe('failed');
    expect(outcome.error?.code).toBe('RedirectRefused');
    expect(server.heads.map((head) => head.split(' ')[1])).toEqual(['/a']);
  });
});

describe('undici transport: large response heads', () => {
  const large = [
    ['one 20 KiB header', `Content-Security-Policy: ${'x'.repeat(20 * 1024)}\r\n`],
    ['200 headers of 100 B', Array.from({ length: 200 }, (_, index) => `X-H${index}: ${'y'.repeat(100)}\r\n`).join('')],
  ] as const;

  it.each(large)('reads a head with %s, as browsers do', async (_name, fields) => {
    const server = await answering(() => `HTTP/1.1 200 OK\r\n${fields}Content-Length: 2\r\nConnection: close\r\n\r\nok`);
    const response = await transport().start(attemptRequest(`${server.origin}/`));
    expect(new TextDecoder().decode(await readAll(response.body))).toBe('ok');
  });

  it('reads a head with a 20 KiB header through a proxy too', async () => {
    const server = await answering(() => `HTTP/1.1 200 OK\r\n${large[0][1]}Content-Length: 2\r\nConnection: close\r\n\r\nok`);
    const proxy = await startConnectProxy();
    later(() => proxy.close());
    const created = withProxyEnvironment({ HTTP_PROXY: proxy.origin }, () => createUndiciTransport());
    later(() => created.close());
    const response = await created.start(attemptRequest(`${server.origin}/`));
    expect(response.head.headers['content-security-policy']).toHaveLength(20 * 1024);
    expect(new TextDecoder().decode(await readAll(response.body))).toBe('ok');
    expect(proxy.tunnels).toHaveLength(1);
  });
});
