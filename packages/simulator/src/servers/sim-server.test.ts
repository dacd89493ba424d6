import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '@bgsession/core';
import { createManualClock } from '@bgsession/testing';
import { bytesContent } from './bytes-content.js';
import { faultsByAttempt } from './faults-by-attempt.js';
import type { RespondPlan, ResponsePlan } from './response-plan.js';
import type { ServerRequest } from './server-request.js';
import { createSimServer } from './sim-server.js';

const origin = 'https://files.example';
const text = '0123456789abcdefghij';

function setup() {
  const clock = createManualClock();
  const server = createSimServer({ origin, clock });
  return { clock, server };
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): ServerRequest {
  const url = new URL(path, origin);
  return { method, url: url.href, path: url.pathname, headers };
}

function responded(plan: ResponsePlan): RespondPlan {
  if (plan.type !== 'respond') throw new Error(`expected a response, got ${plan.type}`);
  return plan;
}

function bodyText(plan: ResponsePlan): string {
  const response = responded(plan);
  return new TextDecoder().decode(response.body.read(0, response.body.length));
}

describe('a simulated server serving a file', () => {
  it('answers 200 with the content, a strong ETag, Last-Modified a day before Date, and logs the request', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text, { tag: 'v1' }) });
    const plan = responded(server.handle(get('/a.txt')).plan);
    expect(plan.status).toBe(200);
    expect(plan.headers).toMatchObject({ etag: '"v1"', 'content-length': '20', 'accept-ranges': 'bytes' });
    const date = parseHttpDate(plan.headers['date']) ?? 0;
    expect(date - (parseHttpDate(plan.headers['last-modified']) ?? 0)).toBe(86_400_000);
    expect(bodyText(plan)).toBe(text);
    expect(server.requests).toMatchObject([{ sequence: 1, attempt: 1, route: '/a.txt', method: 'GET', status: 200, outcome: 'pending' }]);
  });

  it('honours Range with a matching strong If-Range (206), and answers 200 when the ETag differs', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text, { tag: 'v1' }) });
    const partial = responded(server.handle(get('/a.txt', { range: 'bytes=15-', 'if-range': '"v1"' })).plan);
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe('bytes 15-19/20');
    expect(bodyText(partial)).toBe('fghij');
    const changed = responded(server.handle(get('/a.txt', { range: 'bytes=15-', 'if-range': '"v0"' })).plan);
    expect(changed.status).toBe(200);
    expect(bodyText(changed)).toBe(text);
  });

  it('compares If-Range dates exactly, and never matches a weak ETag', () => {
    const { server } = setup();
    server.file('/weak.txt', { content: bytesContent(text, { tag: 'v1' }), validator: 'weakEtag' });
    server.file('/dated.txt', { content: bytesContent(text), validator: 'lastModified' });
    expect(responded(server.handle(get('/weak.txt', { range: 'bytes=5-', 'if-range': 'W/"v1"' })).plan).status).toBe(200);
    const head = responded(server.handle(get('/dated.txt')).plan);
    expect(head.headers['etag']).toBeUndefined();
    const lastModified = head.headers['last-modified'] ?? '';
    expect(responded(server.handle(get('/dated.txt', { range: 'bytes=5-', 'if-range': lastModified })).plan).status).toBe(206);
    const other = new Date((parseHttpDate(lastModified) ?? 0) - 1000).toUTCString();
    expect(responded(server.handle(get('/dated.txt', { range: 'bytes=5-', 'if-range': other })).plan).status).toBe(200);
  });

  it('a Last-Modified within a second of Date when the file has just changed (a weak date)', () => {
    const { server } = setup();
    server.file('/fresh.txt', { content: bytesContent(text), validator: 'lastModified', lastModifiedAge: 0 });
    const plan = responded(server.handle(get('/fresh.txt')).plan);
    expect(plan.headers['last-modified']).toBe(plan.headers['date']);
  });

  it('answers 416 with bytes */length and an HTML body past the end', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text) });
    const plan = responded(server.handle(get('/a.txt', { range: 'bytes=20-' })).plan);
    expect(plan.status).toBe(416);
    expect(plan.headers['content-range']).toBe('bytes */20');
    expect(bodyText(plan)).toContain('<html>');
  });

  it('ignores Range when ranges are not supported', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text), ranges: 'ignored' });
    const plan = responded(server.handle(get('/a.txt', { range: 'bytes=5-' })).plan);
    expect(plan.status).toBe(200);
    expect(plan.headers['accept-ranges']).toBe('none');
  });

  it('announces its content coding only when Accept-Encoding allows it', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text), contentEncoding: 'gzip' });
    expect(responded(server.handle(get('/a.txt', { 'accept-encoding': 'identity' })).plan).headers['content-encoding']).toBeUndefined();
    expect(responded(server.handle(get('/a.txt', { 'accept-encoding': 'gzip, br' })).plan).headers['content-encoding']).toBe('gzip');
    expect(responded(server.handle(get('/a.txt', { 'accept-encoding': 'gzip;q=0' })).plan).headers['content-encoding']).toBeUndefined();
  });

  it('frames by chunks or by close when asked, and drips at its rate', () => {
    const { server } = setup();
    server.file('/chunked', { content: bytesContent(text), framing: 'chunked' });
    server.file('/close', { content: bytesContent(text), framing: 'close', bytesPerSecond: 5 });
    const chunked = responded(server.handle(get('/chunked')).plan);
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.headers['content-length']).toBeUndefined();
    const close = responded(server.handle(get('/close')).plan);
    expect(close).toMatchObject({ framing: 'close', bytesPerSecond: 5, headers: { connection: 'close' } });
    expect(close.headers['content-length']).toBeUndefined();
  });

  it('answers 405 to other methods, 404 to unknown paths', () => {
    const { server } = setup();
    server.file('/a.txt', { content: bytesContent(text) });
    expect(responded(server.handle(get('/a.txt', {}, 'DELETE')).plan).status).toBe(405);
    expect(responded(server.handle(get('/nope')).plan).status).toBe(404);
    expect(server.requests.at(-1)).toMatchObject({ route: null, attempt: 1 });
  });

  it('changes version between attempts: new ETag, new bytes, Last-Modified now', () => {
    const { clock, server } = setup();
    const resource = server.file('/a.txt', { content: bytesContent(text, { tag: 'v1' }), script: faultsByAttempt({ 2: { type: 'newVersion' } }) });
    responded(server.handle(get('/a.txt')).plan);
    clock.advance(5000);
    const second = responded(server.handle(get('/a.txt', { range: 'bytes=5-', 'if-range': '"v1"' })).plan);
    expect(resource.version).toBe(2);
    expect(second.status).toBe(200);
    expect(second.headers['etag']).toBe('"v1.n"');
    expect(second.headers['last-modified']).toBe(second.headers['date']);
    expect(bodyText(second)).not.toBe(text);
  });
});

describe('ready-made faults', () => {
  function fileWith(script: Parameters<typeof faultsByAttempt>[0]) {
    const { server } = setup();
    const resource = server.file('/a.txt', { content: bytesContent(text, { tag: 'v1' }), script: faultsByAttempt(script) });
    return { server, resource };
  }
  const resume = { range: 'bytes=10-', 'if-range': '"v1"' };

  it('503 and 429 carry Retry-After; the next attempt is compliant', () => {
    const { server } = fileWith({ 1: { type: 'status', status: 503, retryAfter: '120' }, 2: { type: 'status', status: 429, retryAfter: 'garbage' } });
    const first = responded(server.handle(get('/a.txt')).plan);
    expect(first).toMatchObject({ status: 503, headers: { 'retry-after': '120' } });
    expect(bodyText(first)).toBe('503 Service Unavailable');
    expect(responded(server.handle(get('/a.txt')).plan).headers['retry-after']).toBe('garbage');
    expect(responded(server.handle(get('/a.txt')).plan).status).toBe(200);
  });

  it('ignoreRange answers 200 to a Range', () => {
    const { server } = fileWith({ 1: { type: 'ignoreRange' } });
    expect(responded(server.handle(get('/a.txt', resume)).plan).status).toBe(200);
  });

  it('rangeShift answers a 206 starting elsewhere, honestly labelled', () => {
    const { server } = fileWith({ 1: { type: 'rangeShift', by: -1 }, 2: { type: 'rangeShift', by: 4 } });
    const early = responded(server.handle(get('/a.txt', resume)).plan);
    expect(early.headers['content-range']).toBe('bytes 9-19/20');
    expect(bodyText(early)).toBe(text.slice(9));
    expect(early.headers['content-length']).toBe('11');
    expect(responded(server.handle(get('/a.txt', resume)).plan).headers['content-range']).toBe('bytes 14-19/20');
  });

  it('otherVersion sends another version under its own ETag, or under the current one when lying', () => {
    const { server } = fileWith({ 1: { type: 'otherVersion' }, 2: { type: 'otherVersion', keepValidator: true } });
    const honest = responded(server.handle(get('/a.txt', resume)).plan);
    expect(honest.status).toBe(206);
    expect(honest.headers['etag']).toBe('"v1.n"');
    expect(bodyText(honest)).not.toBe(text.slice(10));
    const lying = responded(server.handle(get('/a.txt', resume)).plan);
    expect(lying.headers['etag']).toBe('"v1"');
    expect(bodyText(lying)).toBe(bodyText(honest));
  });

  it('header, encoding, cut, stall, drip, framing and delay shape the response', () => {
    const { server } = fileWith({
      1: [{ type: 'header', name: 'Content-Range', value: 'bytes 5-/10' }, { type: 'header', name: 'etag', value: null }],
      2: [{ type: 'encoding', coding: 'gzip' }, { type: 'cut', afterBytes: 7 }, { type: 'stall', afterBytes: 3 }],
      3: [{ type: 'drip', bytesPerSecond: 2 }, { type: 'framing', framing: 'close' }, { type: 'delay', ms: 250 }],
    });
    const first = responded(server.handle(get('/a.txt', resume)).plan);
    expect(first.headers['content-range']).toBe('bytes 5-/10');
    expect(first.headers['etag']).toBeUndefined();
    expect(responded(server.handle(get('/a.txt')).plan)).toMatchObject({ cutAfter: 7, stallAfter: 3, headers: { 'content-encoding': 'gzip' } });
    expect(responded(server.handle(get('/a.txt')).plan)).toMatchObject({ bytesPerSecond: 2, framing: 'close', delay: 250 });
  });

  it('reset, hang and redirect replace the answer; a script may return a whole plan', () => {
    const { server } = setup();
    server.route('/scripted', (request, attempt) => {
      if (attempt === 1) return { type: 'reset', afterRequestBody: true };
      if (attempt === 2) return { type: 'hang' };
      if (attempt === 3) return { type: 'redirect', location: 'https://cdn.example/x', status: 307 };
      return { ...responded(server.handle(get('/missing')).plan), status: 299, headers: { seen: request.path } };
    });
    expect(server.handle(get('/scripted')).plan).toEqual({ type: 'reset', afterRequestBody: true });
    expect(server.handle(get('/scripted')).plan).toEqual({ type: 'hang' });
    expect(responded(server.handle(get('/scripted')).plan)).toMatchObject({ status: 307, headers: { location: 'https://cdn.example/x' } });
    expect(responded(server.handle(get('/scripted')).plan)).toMatchObject({ status: 299, headers: { seen: '/scripted' } });
    expect(server.requests.filter((request) => request.route === '/scripted').map((request) => request.status)).toEqual([null, null, 307, 299]);
  });
});

describe('redirects, presigned links and uploads', () => {
  it('issues a new presigned link at each request; the signed target refuses an expired one', () => {
    const { clock, server } = setup();
    const cdn = createSimServer({ origin: 'https://cdn.example', clock });
    server.redirect('/download', { location: 'https://cdn.example/object', presigned: { expiresIn: 60_000 } });
    cdn.file('/object', { content: bytesContent(text), signed: true });
    const first = responded(server.handle(get('/download')).plan).headers['location'] ?? '';
    const second = responded(server.handle(get('/download')).plan).headers['location'] ?? '';
    expect(first).not.toBe(second);
    const request = (url: string): ServerRequest => ({ method: 'GET', url, path: '/object', headers: {} });
    expect(responded(cdn.handle(request(first)).plan).status).toBe(200);
    expect(responded(cdn.handle(request('https://cdn.example/object')).plan).status).toBe(403);
    clock.advance(61_000);
    expect(responded(cdn.handle(request(second)).plan).status).toBe(403);
  });

  it('an upload route records the received body and answers 201', () => {
    const { server } = setup();
    server.upload('/up');
    const exchange = server.handle(get('/up', { 'content-length': '5' }, 'PUT'));
    exchange.receiveBody(new Uint8Array(0));
    exchange.receiveBody(new TextEncoder().encode('hel'));
    exchange.receiveBody(new TextEncoder().encode('lo'));
    expect(responded(exchange.plan).status).toBe(201);
    expect(new TextDecoder().decode(exchange.record.body ?? new Uint8Array())).toBe('hello');
    expect(responded(server.handle(get('/up')).plan).status).toBe(405);
  });

  it('a body past the record cap is counted, not kept', () => {
    const clock = createManualClock();
    const server = createSimServer({ origin, clock, recordBodiesUpTo: 4 });
    server.upload('/up');
    const exchange = server.handle(get('/up', {}, 'POST'));
    exchange.receiveBody(new Uint8Array(3));
    exchange.receiveBody(new Uint8Array(3));
    expect(exchange.record).toMatchObject({ body: null, bodyLength: 6 });
  });

  it('refuses an origin that is not http(s) and a path without a leading slash', () => {
    const clock = createManualClock();
    expect(() => createSimServer({ origin: 'ftp://x.example', clock })).toThrow(/origin/);
    expect(() => createSimServer({ origin, clock }).file('a.txt', { content: bytesContent(text) })).toThrow(/path/);
  });
});
