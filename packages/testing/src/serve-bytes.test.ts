import { describe, expect, it } from 'vitest';
import type { AttemptRequest, AttemptResponse } from '@bgsession/core';
import { concatBytes } from './concat-bytes.js';
import { createScriptedTransport } from './scripted-transport.js';
import { serveBytes, type ServeBytesOptions } from './serve-bytes.js';

const content = new TextEncoder().encode('0123456789');
const lastModified = 'Tue, 01 Oct 2024 10:00:00 GMT';

async function fetchWith(headers: Record<string, string>, options: ServeBytesOptions = { etag: '"v1"', lastModified }) {
  const transport = createScriptedTransport(serveBytes(content, options));
  const request: AttemptRequest = { taskIdentifier: 1, url: 'https://example.test/f', method: 'GET', headers, body: null, signal: new AbortController().signal };
  const response: AttemptResponse = await transport.start(request);
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status: response.head.status, headers: response.head.headers, body: new TextDecoder().decode(concatBytes(chunks)) };
}

describe('serveBytes', () => {
  it('serves the whole content with its validators when no range is asked', async () => {
    const response = await fetchWith({});
    expect(response).toEqual({
      status: 200,
      headers: { 'accept-ranges': 'bytes', etag: '"v1"', 'last-modified': lastModified, 'content-length': '10' },
      body: '0123456789',
    });
  });

  it.each([
    ['bytes=4-', undefined, 206, 'bytes 4-9/10', '456789'],
    ['bytes=2-4', undefined, 206, 'bytes 2-4/10', '234'],
    ['bytes=8-100', undefined, 206, 'bytes 8-9/10', '89'],
    ['bytes=-3', undefined, 206, 'bytes 7-9/10', '789'],
    ['bytes=4-', '"v1"', 206, 'bytes 4-9/10', '456789'],
    ['bytes=4-', lastModified, 206, 'bytes 4-9/10', '456789'],
    ['bytes=4-', '"v0"', 200, undefined, '0123456789'],
    ['bytes=4-', 'W/"v1"', 200, undefined, '0123456789'],
    ['bytes=4-', 'Mon, 30 Sep 2024 10:00:00 GMT', 200, undefined, '0123456789'],
    ['bytes=10-', undefined, 416, 'bytes */10', ''],
    ['bytes=10-', '"v1"', 416, 'bytes */10', ''],
    ['bytes=5-2', undefined, 200, undefined, '0123456789'],
    ['bytes=0-1,4-5', undefined, 200, undefined, '0123456789'],
    ['items=0-1', undefined, 200, undefined, '0123456789'],
  ])('Range %s with If-Range %s -> %i %s', async (range, ifRange, status, contentRange, body) => {
    const response = await fetchWith(ifRange === undefined ? { range } : { range, 'if-range': ifRange });
    expect(response.status).toBe(status);
    expect(response.headers['content-range']).toBe(contentRange);
    expect(response.body).toBe(body);
    expect(response.headers['content-length']).toBe(String(body.length));
  });

  it('a weak ETag never matches If-Range, even itself', async () => {
    const response = await fetchWith({ range: 'bytes=4-', 'if-range': 'W/"v1"' }, { etag: 'W/"v1"' });
    expect(response.status).toBe(200);
  });

  it('ignoreRange answers 200 with the whole content and no Accept-Ranges', async () => {
    const response = await fetchWith({ range: 'bytes=4-' }, { ignoreRange: true, etag: '"v1"' });
    expect(response.status).toBe(200);
    expect(response.body).toBe('0123456789');
    expect(response.headers['accept-ranges']).toBeUndefined();
  });
});
