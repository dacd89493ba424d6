import { describe, expect, it } from 'vitest';
import { bytesContent } from '../servers/bytes-content.js';
import { createSimServer } from '../servers/sim-server.js';
import { browserFetchCapabilities } from './browser-fetch-capabilities.js';
import { fetchAll, origin, request, settle, testWorld } from './sim-world.test-helpers.js';

const text = bytesContent('0123456789', { tag: 'v1' });

describe('transport capabilities', () => {
  it('by default it declares every capability, passes Accept-Encoding and returns redirects as they are', async () => {
    const world = testWorld();
    world.server.redirect('/go', { location: '/a.txt' });
    const { response } = await fetchAll(world, request(`${origin}/go`));
    expect(world.transport.capabilities).toEqual({ setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true });
    expect(response.head).toMatchObject({ status: 302, headers: { location: '/a.txt' } });
    expect(world.server.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it("mimicking a browser's fetch: Accept-Encoding is the browser's, validators are hidden, no upload progress", async () => {
    const world = testWorld({}, { transport: { capabilities: browserFetchCapabilities } });
    world.server.file('/a.txt', { content: text, contentEncoding: 'gzip' });
    world.server.upload('/up');
    const { response } = await fetchAll(world, request(`${origin}/a.txt`, { headers: { 'accept-encoding': 'identity', range: 'bytes=2-', 'if-range': '"v1"' } }));
    expect(world.server.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br, zstd');
    expect(response.head.status).toBe(206);
    expect(response.head.headers['content-encoding']).toBe('gzip');
    for (const hidden of ['etag', 'last-modified', 'content-range']) expect(response.head.headers[hidden]).toBeUndefined();
    const sent: number[] = [];
    const payload = new Uint8Array(10);
    await fetchAll(world, request(`${origin}/up`, { method: 'PUT', body: { length: 10, open: async function* () { yield payload; } }, onBodySent: (total) => sent.push(total) }));
    expect(sent).toEqual([]);
  });

  it('without manual redirects it follows them like fetch: 303 turns a POST into a GET, another origin loses Authorization', async () => {
    const world = testWorld({}, { transport: { capabilities: { manualRedirects: false } } });
    const cdn = createSimServer({ origin: 'https://cdn.example', clock: world.clock });
    world.network.addServer(cdn);
    world.server.route('/submit', () => ({ type: 'redirect', location: '/elsewhere', status: 303 }));
    world.server.redirect('/elsewhere', { location: 'https://cdn.example/object', status: 307 });
    cdn.file('/object', { content: text });
    const payload = new Uint8Array(4);
    const { response, read } = await fetchAll(
      world,
      request(`${origin}/submit`, { method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' }, body: { length: 4, open: async function* () { yield payload; } } }),
    );
    expect(response.head.status).toBe(200);
    expect(new TextDecoder().decode(read.bytes)).toBe('0123456789');
    expect(world.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /submit', 'GET /elsewhere']);
    expect(world.server.requests[1]?.headers['authorization']).toBe('Bearer secret');
    expect(world.server.requests[1]?.headers['content-type']).toBeUndefined();
    expect(cdn.requests[0]?.headers['authorization']).toBeUndefined();
  });

  it('a redirect loop is refused after the hop limit with RedirectRefused', async () => {
    const world = testWorld({ latency: 0 }, { transport: { capabilities: { manualRedirects: false }, maxRedirects: 20 } });
    world.server.redirect('/loop', { location: '/loop' });
    const result = await settle(world.clock, world.transport.start(request(`${origin}/loop`)));
    expect(result.ok ? null : result.error).toMatchObject({ code: 'RedirectRefused' });
    expect(world.server.requests).toHaveLength(21);
  });
});
