import { describe, expect, it } from 'vitest';
import { isBgSessionError, type NetworkState } from '@bgsession/core';
import { bytesContent } from '../servers/bytes-content.js';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import { fetchAll, origin, readBody, request, settle, testWorld } from './sim-world.test-helpers.js';

const content = generatedContent({ seed: 2, length: 1_000_000 });
const url = `${origin}/a.bin`;

function errorOf(result: { readonly ok: boolean; readonly error?: unknown }): unknown {
  return result.ok ? null : result.error;
}

describe('server faults as the client sees them', () => {
  it('a body cut short of its Content-Length fails with IncompleteBody after the bytes sent', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content, script: faultsByAttempt({ 1: { type: 'cut', afterBytes: 250_000 } }) });
    const { read } = await fetchAll(world, request(url));
    expect(read.error).toMatchObject({ code: 'IncompleteBody' });
    expect(read.bytes).toHaveLength(250_000);
    expect(world.server.requests[0]).toMatchObject({ bytesSent: 250_000, outcome: 'truncated' });
  });

  it('a chunked body cut before its last chunk fails with IncompleteBody', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content, framing: 'chunked', script: faultsByAttempt({ 1: { type: 'cut', afterBytes: 10 } }) });
    const { response, read } = await fetchAll(world, request(url));
    expect(response.head.headers['transfer-encoding']).toBe('chunked');
    expect(isBgSessionError(read.error, 'IncompleteBody')).toBe(true);
  });

  it('a close-delimited body cut short looks complete to the client (RFC 9112 6.3), and the log says truncated', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content, framing: 'close', script: faultsByAttempt({ 1: { type: 'cut', afterBytes: 300 } }) });
    const { response, read } = await fetchAll(world, request(url));
    expect(response.head.headers['content-length']).toBeUndefined();
    expect(read.error).toBeNull();
    expect(read.bytes).toHaveLength(300);
    expect(world.server.requests[0]?.outcome).toBe('truncated');
    expect((await fetchAll(world, request(url))).response.head.reusedConnection).toBe(false);
  });

  it('a Content-Length that promises more than the server sends fails with IncompleteBody', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content: bytesContent('short'), script: () => ({ type: 'header', name: 'content-length', value: '100' }) });
    const { read } = await fetchAll(world, request(url));
    expect(read.bytes).toHaveLength(5);
    expect(isBgSessionError(read.error, 'IncompleteBody')).toBe(true);
  });

  it('a stalled body delivers nothing more until the attempt is aborted', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content, script: faultsByAttempt({ 1: { type: 'stall', afterBytes: 100_000 } }) });
    const controller = new AbortController();
    const started = await settle(world.clock, world.transport.start(request(url, { signal: controller.signal })));
    if (!started.ok) throw started.error;
    const iterator = started.value.body[Symbol.asyncIterator]();
    expect((await settle(world.clock, iterator.next())).ok).toBe(true);
    const stalled = iterator.next();
    await world.clock.advanceAsync(3_600_000);
    expect(world.server.requests[0]?.bytesSent).toBe(100_000);
    controller.abort();
    expect(isBgSessionError(errorOf(await settle(world.clock, stalled)), 'ConnectionFailed')).toBe(true);
  });

  it('a server that resets or hangs gives no head: ConnectionFailed (the hang once aborted)', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content, script: faultsByAttempt({ 1: { type: 'reset' }, 2: { type: 'hang' } }) });
    const reset = errorOf(await settle(world.clock, world.transport.start(request(url))));
    expect(reset).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: true });
    expect(world.server.requests[0]?.outcome).toBe('reset');
    const controller = new AbortController();
    const hanging = world.transport.start(request(url, { signal: controller.signal }));
    await world.clock.advanceAsync(3_600_000);
    controller.abort();
    expect(isBgSessionError(errorOf(await settle(world.clock, hanging)), 'ConnectionFailed')).toBe(true);
    expect(world.server.requests[1]?.outcome).toBe('aborted');
  });

  it('a POST reset after its body was received: the server has the bytes, the client ConnectionFailed', async () => {
    const world = testWorld({ latency: 0 });
    world.server.upload('/up', { script: () => ({ type: 'reset', afterRequestBody: true }) });
    const payload = new TextEncoder().encode('payload');
    const result = await settle(world.clock, world.transport.start(request(`${origin}/up`, { method: 'POST', body: { length: payload.length, open: async function* () { yield payload; } } })));
    expect(errorOf(result)).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: true });
    expect(world.server.requests[0]?.body).toEqual(payload);
  });
});

describe('network faults', () => {
  it('an injected drop cuts the next response body after N bytes (IncompleteBody); the next request is whole', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    world.network.injectFault('files.example', { type: 'drop', afterBytes: 123_456 });
    const first = await fetchAll(world, request(url));
    expect(first.read.bytes).toHaveLength(123_456);
    expect(first.read.error).toMatchObject({ code: 'IncompleteBody', bodyMayHaveBeenSent: true });
    expect(world.server.requests[0]?.outcome).toBe('dropped');
    const second = await fetchAll(world, request(url));
    expect(second.read.bytes).toHaveLength(1_000_000);
    expect(second.response.head.reusedConnection).toBe(false);
  });

  it('an injected reset fails the next request before its head; the server never sees it', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    world.network.injectFault('files.example', { type: 'reset' });
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: true });
    expect(world.server.requests).toHaveLength(0);
  });

  it('an injected stale reset hits the next reused connection, flagged reusedConnection', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content: bytesContent('abc') });
    world.network.injectFault('files.example', { type: 'staleReset' });
    await fetchAll(world, request(url));
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', reusedConnection: true });
  });

  it('DNS fails for a name no server has, during a dnsFailure period and once when injected; another port is refused; nothing was sent', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content: bytesContent('abc') });
    const unsent = { code: 'DnsFailure', bodyMayHaveBeenSent: false };
    expect(errorOf(await settle(world.clock, world.transport.start(request('https://nowhere.example/a'))))).toMatchObject(unsent);
    world.network.configureHost('configured.example', { latency: 5 });
    expect(errorOf(await settle(world.clock, world.transport.start(request('https://configured.example/a'))))).toMatchObject(unsent);
    expect(errorOf(await settle(world.clock, world.transport.start(request('http://files.example:8080/a'))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: false });
    world.network.addPeriod({ kind: 'dnsFailure', host: 'files.example', from: 0, until: 10_000 });
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject(unsent);
    world.clock.advance(10_000);
    world.network.injectFault('files.example', { type: 'dnsFailure' });
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject(unsent);
    expect((await fetchAll(world, request(url))).response.head.status).toBe(200);
  });

  it('a host going down cuts its transfers in flight and refuses new connections until it is back', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    world.network.addPeriod({ kind: 'hostDown', host: 'files.example', from: 500, until: 20_000 });
    const { read } = await fetchAll(world, request(url));
    expect(read.error).toMatchObject({ code: 'IncompleteBody' });
    expect(read.at).toBe(500);
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: false });
    world.clock.advance(20_000);
    expect((await fetchAll(world, request(url))).read.error).toBeNull();
  });

  it('an offline period: subscribers hear it at both ends, transfers are cut, new connections fail until it ends', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    const heard: NetworkState[] = [];
    world.network.connectivity.subscribe((state) => heard.push(state));
    world.network.addPeriod({ kind: 'offline', from: 800, until: 5_000 });
    const { read } = await fetchAll(world, request(url));
    expect(read.error).toMatchObject({ code: 'IncompleteBody' });
    expect(world.network.connectivity.current().online).toBe(false);
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: false });
    await world.clock.advanceAsync(5_000);
    expect(heard.map((state) => state.online)).toEqual([false, true]);
    expect((await fetchAll(world, request(url))).read.error).toBeNull();
  });

  it('expensive and constrained periods, and the base state, show in connectivity', async () => {
    const world = testWorld();
    world.network.addPeriod({ kind: 'expensive', from: 100, until: 200 });
    world.network.addPeriod({ kind: 'constrained', from: 150, until: 300 });
    const states: string[] = [];
    world.network.connectivity.subscribe((state) => states.push(`${state.expensive ? 'E' : '-'}${state.constrained ? 'C' : '-'}`));
    await world.clock.advanceAsync(400);
    world.network.setState({ constrained: true });
    expect(states).toEqual(['E-', 'EC', '-C', '--', '-C']);
    expect(world.network.trace.filter((event) => event.type === 'connectivity')).toHaveLength(5);
  });

  it('an injected refusal, dropConnections and a closed transport fail what they touch', async () => {
    const world = testWorld();
    world.server.file('/a.bin', { content });
    world.network.injectFault('files.example', { type: 'refuse' });
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: false });

    const started = await settle(world.clock, world.transport.start(request(url)));
    if (!started.ok) throw started.error;
    expect(world.network.dropConnections('files.example')).toBe(1);
    expect((await readBody(world.clock, started.value)).error).toMatchObject({ code: 'IncompleteBody' });

    const pending = world.transport.start(request(url));
    world.transport.close();
    expect(errorOf(await settle(world.clock, pending))).toMatchObject({ code: 'ConnectionFailed' });
    expect(errorOf(await settle(world.clock, world.transport.start(request(url))))).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: false });
    expect((await fetchAll({ ...world, transport: world.network.createTransport() }, request(url))).read.error).toBeNull();
  });

  it('random drops at a rate cut some bodies and not others', async () => {
    const world = testWorld({ dropRate: 1 });
    world.server.file('/a.bin', { content });
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const { read } = await fetchAll(world, request(url));
      outcomes.push(read.error === null ? 'whole' : 'cut');
    }
    expect(outcomes).toContain('whole');
    expect(outcomes).toContain('cut');
  });
});
