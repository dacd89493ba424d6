import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport } from '@bgsession/testing';
import { completions, eventLog, recordingListener, runUntil } from './session-fixtures.test-helpers.js';

const url = 'https://api.example/items';

describe('the attempt pump', () => {
  // RFC 9110 6.4.1: a response to HEAD, and a 204 or 304, has no content whatever its Content-Length says.
  it.each([
    { name: 'a HEAD answered 200', method: 'HEAD', status: 200 },
    { name: 'a GET answered 304', method: 'GET', status: 304 },
    { name: 'a GET answered 204', method: 'GET', status: 204 },
  ])('$name with Content-Length 1000 and no body succeeds at once, with no retry', async ({ method, status }) => {
    const transport = createScriptedTransport([
      { type: 'respond', status, headers: { 'content-length': '1000', etag: '"v1"' } },
      { type: 'respond', status, headers: { 'content-length': '1000', etag: '"v1"' } },
    ]);
    const host = createMemoryHost({ transport, seed: 61 });
    const log = eventLog();
    const session = await host.open({ identifier: 'bodyless', retry: { maxAttempts: 2 } }, { listener: recordingListener(log) });
    const task = await session.data({ url, method, headers: status === 304 ? { 'if-none-match': '"v1"' } : {} });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);

    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error).toBeNull();
    expect(completion!.response?.status).toBe(status);
    expect(completion!.response?.headers['content-length']).toBe('1000');
    expect(completion!.response?.body.byteLength).toBe(0);
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });

  it('a GET answered 200 with Content-Length 1000 and no body is still an incomplete body', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 200, headers: { 'content-length': '1000' } }]);
    const host = createMemoryHost({ transport, seed: 62 });
    const log = eventLog();
    const session = await host.open({ identifier: 'short', retry: { maxAttempts: 1 } }, { listener: recordingListener(log) });
    const task = await session.data({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('IncompleteBody');
    await session.close();
  });
});
