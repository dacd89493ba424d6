import { afterEach, describe, expect, it } from 'vitest';
import { isBgSessionError } from '@bgsession/core';
import { attemptRequest, readAll, startConnectProxy, startHttpServer, withProxyEnvironment } from './test-servers.test-helpers.js';
import { createUndiciTransport } from './undici-transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function creationError(variables: Readonly<Record<string, string>>): unknown {
  try {
    const created = withProxyEnvironment(variables, () => createUndiciTransport());
    cleanups.push(() => created.close());
    return null;
  } catch (error) {
    return error;
  }
}

describe('undici transport: proxies from the environment', () => {
  it.each([
    ['HTTP_PROXY', ''],
    ['http_proxy', ''],
    // 'http:host:port' is http to URL parsers, undici's included: it must not become 'http://http:host:port'.
    ['HTTP_PROXY', 'http:'],
  ])('takes a %s of %shost:port as http://host:port', async (variable, prefix) => {
    const target = await startHttpServer((_request, response) => response.writeHead(200, { 'content-length': '2' }).end('ok'));
    cleanups.push(() => target.close());
    const proxy = await startConnectProxy();
    cleanups.push(() => proxy.close());
    const created = withProxyEnvironment({ [variable]: `${prefix}${new URL(proxy.origin).host}` }, () => createUndiciTransport());
    cleanups.push(() => created.close());
    const response = await created.start(attemptRequest(`${target.origin}/`));
    expect(new TextDecoder().decode(await readAll(response.body))).toBe('ok');
    expect(proxy.tunnels).toEqual([`CONNECT ${new URL(target.origin).host} HTTP/1.1`]);
  });

  it.each([
    { variable: 'HTTPS_PROXY', value: 'http://me:secret@[bad', others: {} },
    { variable: 'HTTPS_PROXY', value: 'me:secret@proxy.corp:99999', others: {} },
    { variable: 'https_proxy', value: 'ftp://me:secret@proxy.corp:21', others: {} },
    // Beside a usable HTTPS_PROXY, the message still names the one refused.
    { variable: 'HTTP_PROXY', value: 'http://[bad', others: { HTTPS_PROXY: 'http://127.0.0.1:9' } },
  ])('a $variable undici cannot use ($value) is InvalidConfiguration naming the variable, never its password', ({ variable, value, others }) => {
    const error = creationError({ [variable]: value, ...others });
    expect(isBgSessionError(error, 'InvalidConfiguration'), String(error)).toBe(true);
    expect((error as { field?: string }).field).toBe('proxyFromEnvironment');
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).not.toContain('secret');
    expect((error as Error).cause).toBeUndefined();
  });

  it('an empty variable means no proxy', () => {
    expect(creationError({ HTTPS_PROXY: '', HTTP_PROXY: '  ' })).toBeNull();
  });
});
