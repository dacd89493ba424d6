import { describe, expect, it } from 'vitest';
import { isBgSessionError, type AttemptRequest, type AttemptResponse } from '@bgsession/core';
import { concatBytes } from './concat-bytes.js';
import { expectRejection } from './expect-rejection.js';
import { createScriptedTransport } from './scripted-transport.js';

function get(url = 'https://example.test/file', extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return { taskIdentifier: 1, url, method: 'GET', headers: {}, body: null, signal: new AbortController().signal, ...extra };
}

async function text(response: AttemptResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return new TextDecoder().decode(concatBytes(chunks));
}

async function bodyFailure(response: AttemptResponse): Promise<{ readonly received: string; readonly error: unknown }> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk);
  } catch (error) {
    return { received: new TextDecoder().decode(concatBytes(chunks)), error };
  }
  throw new Error('expected the body to fail');
}

describe('createScriptedTransport', () => {
  it('plays the steps in order, recording each request', async () => {
    const transport = createScriptedTransport([
      { type: 'fail', code: 'DnsFailure' },
      { type: 'respond', status: 200, headers: { 'Content-Length': '5' }, body: 'hello', chunkSize: 2 },
    ]);
    await expectRejection(transport.start(get()), 'DnsFailure');
    const response = await transport.start(get('https://example.test/file', { headers: { range: 'bytes=0-' } }));
    expect(response.head).toEqual({ status: 200, headers: { 'content-length': '5' } });
    const chunks: number[] = [];
    for await (const chunk of response.body) chunks.push(chunk.length);
    expect(chunks).toEqual([2, 2, 1]);
    expect(transport.requests.map((request) => [request.attempt, request.url, request.headers])).toEqual([
      [1, 'https://example.test/file', {}],
      [2, 'https://example.test/file', { range: 'bytes=0-' }],
    ]);
    expect(transport.remaining()).toBe(0);
    await expectRejection(transport.start(get()), 'ConnectionFailed');
  });

  it('a handler decides from the request and the attempt number', async () => {
    const transport = createScriptedTransport((request, attempt) => ({
      type: 'respond',
      status: 200,
      body: `${request.method} #${attempt}`,
    }));
    expect(await text(await transport.start(get()))).toBe('GET #1');
    expect(await text(await transport.start(get('https://example.test/x', { method: 'HEAD' })))).toBe('HEAD #2');
    expect(transport.remaining()).toBe(Infinity);
  });

  it('cuts the body after N bytes with the scripted code', async () => {
    const transport = createScriptedTransport([
      { type: 'respond', status: 200, body: [new TextEncoder().encode('0123'), new TextEncoder().encode('4567')], failAfter: { bytes: 6, code: 'IncompleteBody' } },
    ]);
    const { received, error } = await bodyFailure(await transport.start(get()));
    expect(received).toBe('012345');
    expect(isBgSessionError(error, 'IncompleteBody')).toBe(true);
  });

  it('a hanging attempt rejects with ConnectionFailed once aborted', async () => {
    const transport = createScriptedTransport([{ type: 'hang' }]);
    const controller = new AbortController();
    const started = transport.start(get(undefined, { signal: controller.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.requests[0]?.aborted).toBe(false);
    controller.abort();
    await expectRejection(started, 'ConnectionFailed');
    expect(transport.requests[0]?.aborted).toBe(true);
  });

  it('a stalled body rejects with ConnectionFailed once aborted, after the bytes before the stall', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 200, body: 'abcdef', hangAfter: 3 }]);
    const controller = new AbortController();
    const response = await transport.start(get(undefined, { signal: controller.signal }));
    const failure = bodyFailure(response);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const { received, error } = await failure;
    expect(received).toBe('abc');
    expect(isBgSessionError(error, 'ConnectionFailed')).toBe(true);
  });

  it('reads the request body, never past its declared length, reporting progress', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 201 }]);
    const sent: number[] = [];
    await transport.start(
      get(undefined, {
        method: 'PUT',
        body: {
          length: 5,
          open: async function* () {
            yield new TextEncoder().encode('abc');
            yield new TextEncoder().encode('defgh');
          },
        },
        onBodySent: (total) => sent.push(total),
      }),
    );
    expect(new TextDecoder().decode(transport.requests[0]?.body ?? new Uint8Array())).toBe('abcde');
    expect(sent).toEqual([3, 5]);
  });

  it('a failure after the request body records the body as sent', async () => {
    const transport = createScriptedTransport([{ type: 'fail', code: 'ConnectionFailed', afterRequestBody: true }]);
    const payload = new TextEncoder().encode('data');
    await expectRejection(
      transport.start(get(undefined, { method: 'POST', body: { length: 4, open: async function* () { yield payload; } } })),
      'ConnectionFailed',
    );
    expect(transport.requests[0]?.body).toEqual(payload);
  });

  it('yields copies: a consumer changing a chunk does not change the script', async () => {
    const body = new TextEncoder().encode('same');
    const transport = createScriptedTransport(() => ({ type: 'respond', status: 200, body }));
    for await (const chunk of (await transport.start(get())).body) chunk.fill(0);
    expect(await text(await transport.start(get()))).toBe('same');
  });

  it('declares every capability unless told otherwise', () => {
    expect(createScriptedTransport([]).capabilities).toEqual({
      setsAcceptEncoding: true,
      seesValidators: true,
      manualRedirects: true,
      reportsUploadProgress: true,
    });
    expect(createScriptedTransport([], { capabilities: { seesValidators: false } }).capabilities.seesValidators).toBe(false);
  });
});
