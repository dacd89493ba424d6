import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes } from '@bgsession/testing';
import type { Transport } from '../ports/transport.js';
import { createMemoryByteStore } from '../stores/memory-byte-store.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { createSession } from './create-session.js';
import { completions, eventLog, firstDifference, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const url = 'https://api.example/items';

describe('data tasks', () => {
  it('the response status, headers and body arrive in taskDidComplete, and its bytes go after the acknowledgement', async () => {
    const body = testContent(100 * 1024);
    const transport = createScriptedTransport([{ type: 'respond', status: 201, headers: { 'Content-Type': 'application/json', 'content-length': String(body.length) }, body, chunkSize: 8 * 1024 }]);
    const host = createMemoryHost({ transport, seed: 41 });
    const log = eventLog();
    const session = await host.open({ identifier: 'data' }, { listener: recordingListener(log) });
    const task = await session.data({ url, method: 'POST', body: new TextEncoder().encode('{"q":1}'), headers: { 'Content-Type': 'application/json' } });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0);

    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error).toBeNull();
    expect(completion!.response?.status).toBe(201);
    expect(completion!.response?.headers['content-type']).toBe('application/json');
    expect(firstDifference(completion!.response?.body, body)).toBe(-1);
    expect(completion!.task.countOfBytesReceived).toBe(body.length);
    expect(transport.requests[0]!.method).toBe('POST');
    expect(new TextDecoder().decode(transport.requests[0]!.body!)).toBe('{"q":1}');
    expect((await task.outcome()).phase).toBe('succeeded');
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('a response over maxDataTaskBytes fails with ResponseTooLarge, once, with no retry and no bytes left', async () => {
    const body = testContent(64 * 1024);
    const transport = createScriptedTransport([
      { type: 'respond', status: 200, body, chunkSize: 4 * 1024 },
      { type: 'respond', status: 200, body, chunkSize: 4 * 1024 },
    ]);
    const host = createMemoryHost({ transport, seed: 42 });
    const log = eventLog();
    const session = await host.open({ identifier: 'too-large' }, { listener: recordingListener(log) });
    const task = await session.data({ url, maxDataTaskBytes: 10_000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(10 * 60_000);

    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error?.code).toBe('ResponseTooLarge');
    expect(completion!.response).toBeNull();
    expect(completion!.task.phase).toBe('failed');
    expect(transport.requests).toHaveLength(1);
    expect(completions(log, task.taskIdentifier)).toHaveLength(1);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('the session-wide maxDataTaskBytes applies when the task gives none', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 200, body: testContent(2048) }]);
    const host = createMemoryHost({ transport, seed: 43 });
    const log = eventLog();
    const session = await host.open({ identifier: 'too-large-config', maxDataTaskBytes: 1024 }, { listener: recordingListener(log) });
    const task = await session.data({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ResponseTooLarge');
    await session.close();
  });

  it('a 404 ends the task once with HttpStatus 404 and its headers, and is never retried', async () => {
    const transport = createScriptedTransport([
      { type: 'respond', status: 404, headers: { 'x-request-id': 'r1' }, body: 'no such item' },
      { type: 'respond', status: 200, body: 'should never be asked for' },
    ]);
    const host = createMemoryHost({ transport, seed: 44 });
    const log = eventLog();
    const session = await host.open({ identifier: 'not-found' }, { listener: recordingListener(log) });
    const task = await session.data({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(60 * 60_000);

    expect(transport.requests).toHaveLength(1);
    const all = completions(log, task.taskIdentifier);
    expect(all).toHaveLength(1);
    expect(all[0]!.error).toMatchObject({ code: 'HttpStatus', status: 404, retryable: false, body: 'no such item' });
    expect(all[0]!.error?.headers?.['x-request-id']).toBe('r1');
    expect(all[0]!.task.phase).toBe('failed');
    await session.close();
  });

  it('a 404 to a download ends it the same way and hands no file over', async () => {
    const transport = createScriptedTransport([{ type: 'respond', status: 404, body: 'gone' }]);
    const host = createMemoryHost({ transport, seed: 45 });
    const log = eventLog();
    const session = await host.open({ identifier: 'not-found-download' }, { listener: recordingListener(log) });
    const task = await session.download({ url: 'https://files.example/missing.bin' });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(60 * 60_000);
    expect(transport.requests).toHaveLength(1);
    expect(log.durable.map((e) => e.type)).toEqual(['taskDidComplete']);
    expect(completions(log, task.taskIdentifier)[0]!.error).toMatchObject({ code: 'HttpStatus', status: 404 });
    expect(host.byteData.files.size).toBe(0);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });
});

describe('uploads', () => {
  it('sends the exact body with PUT by default, reports taskDidSendBodyData up to its length, and deletes the copy', async () => {
    const payload = testContent(200 * 1024, 3);
    const transport = createScriptedTransport([{ type: 'respond', status: 200, headers: { etag: '"stored"' }, body: 'ok' }]);
    const host = createMemoryHost({ transport, seed: 46 });
    const log = eventLog();
    const session = await host.open({ identifier: 'upload' }, { listener: recordingListener(log) });
    const task = await session.upload({ url: 'https://uploads.example/photo.jpg', body: payload });
    // The session keeps its own copy: changing the app's buffer changes nothing sent.
    payload.fill(0, 0, 10);
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0);

    const sent = transport.requests[0]!;
    expect(sent.method).toBe('PUT');
    expect(firstDifference(sent.body, testContent(200 * 1024, 3))).toBe(-1);
    const progress = log.transient.filter((e) => e.type === 'taskDidSendBodyData');
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last.type === 'taskDidSendBodyData' && [last.totalBytesSent, last.totalBytesExpectedToSend]).toEqual([200 * 1024, 200 * 1024]);
    // bytesSent is the increment since the previous event (Apple's didSendBodyData), so they add up.
    const increments = progress.reduce((sum, e) => sum + (e.type === 'taskDidSendBodyData' ? e.bytesSent : 0), 0);
    expect(increments).toBe(200 * 1024);
    const [completion] = completions(log, task.taskIdentifier);
    expect(completion!.error).toBeNull();
    expect(completion!.response?.status).toBe(200);
    expect(new TextDecoder().decode(completion!.response!.body)).toBe('ok');
    expect(completion!.task.countOfBytesSent).toBe(200 * 1024);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });

  it('an upload retried after a reset sends the whole body again', async () => {
    const payload = testContent(50 * 1024, 5);
    const transport = createScriptedTransport([
      { type: 'fail', code: 'ConnectionFailed', afterRequestBody: true },
      { type: 'respond', status: 204 },
    ]);
    const host = createMemoryHost({ transport, seed: 47 });
    const log = eventLog();
    const session = await host.open({ identifier: 'upload-retry' }, { listener: recordingListener(log) });
    const task = await session.upload({ url: 'https://uploads.example/a', body: payload });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(transport.requests.map((r) => r.body?.length)).toEqual([payload.length, payload.length]);
    expect(firstDifference(transport.requests[1]!.body, payload)).toBe(-1);
    expect(completions(log, task.taskIdentifier)[0]!.response?.status).toBe(204);
    await session.close();
  });

  it('a non-idempotent POST upload cut after its body was sent is not retried', async () => {
    const transport = createScriptedTransport([
      { type: 'fail', code: 'ConnectionFailed', afterRequestBody: true },
      { type: 'respond', status: 200 },
    ]);
    const host = createMemoryHost({ transport, seed: 48 });
    const log = eventLog();
    const session = await host.open({ identifier: 'post-no-retry' }, { listener: recordingListener(log) });
    const task = await session.upload({ url: 'https://uploads.example/a', method: 'POST', body: new Uint8Array(100) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await host.clock.advanceAsync(60 * 60_000);
    expect(transport.requests).toHaveLength(1);
    expect(completions(log, task.taskIdentifier)[0]!.error?.code).toBe('ConnectionFailed');
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });
});

describe('the response of an upload', () => {
  it('is kept under the upload\'s own maxDataTaskBytes, as a data task\'s is (an upload could not raise it, and a 9 MiB answer to an accepted POST was ResponseTooLarge)', async () => {
    const answer = testContent(9 * 1024 * 1024);
    const transport = createScriptedTransport([
      { type: 'respond', status: 201, headers: { 'content-length': String(answer.length) }, body: answer },
      { type: 'respond', status: 201, headers: { 'content-length': String(answer.length) }, body: answer },
    ]);
    const host = createMemoryHost({ transport, seed: 61 });
    const log = eventLog();
    const session = await host.open({ identifier: 'upload-answer' }, { listener: recordingListener(log) });
    const raised = await session.upload({ url: 'https://api.example/items', method: 'POST', body: testContent(10), maxDataTaskBytes: 16 * 1024 * 1024 });
    const capped = await session.upload({ url: 'https://api.example/items', method: 'POST', body: testContent(10) });
    await runUntil(host, () => completions(log, raised.taskIdentifier).length === 1 && completions(log, capped.taskIdentifier).length === 1);
    const done = completions(log, raised.taskIdentifier)[0]!;
    expect(done.error).toBeNull();
    expect(done.response?.status).toBe(201);
    expect(firstDifference(done.response?.body, answer)).toBe(-1);
    expect(completions(log, capped.taskIdentifier)[0]!.error?.code).toBe('ResponseTooLarge');
    await session.close();
  });
});

describe('the bytes an upload reports sent', () => {
  it('are the bytes the transport handed over when the server answered before reading the whole body (it said the whole body was sent)', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 62 });
    // A server that answers after the first 64 KiB of a 1 MiB body, and reads no more.
    const transport: Transport = {
      capabilities: { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true },
      start: async (request) => {
        const iterator = request.body?.open()[Symbol.asyncIterator]();
        let sent = 0;
        while (sent < 64 * 1024 && iterator !== undefined) {
          const next = await iterator.next();
          if (next.done === true) break;
          sent += next.value.byteLength;
          request.onBodySent?.(sent);
        }
        await iterator?.return?.();
        return { head: { status: 200, headers: { 'content-length': '0' } }, body: (async function* () {})() };
      },
    };
    const log = eventLog();
    const session = await createSession({
      ports: { store: createMemoryStore(), byteStore: createMemoryByteStore(), transport, clock: host.clock, random: host.random, connectivity: host.connectivity },
      configuration: { identifier: 'early-answer' },
      hostOptions: { listener: recordingListener(log) },
    });
    const task = await session.upload({ url: 'https://api.example/items', method: 'POST', body: testContent(1024 * 1024) });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const sent = task.info().countOfBytesSent;
    expect(sent).toBeGreaterThanOrEqual(64 * 1024);
    expect(sent).toBeLessThan(1024 * 1024);
    expect(completions(log, task.taskIdentifier)[0]!.task.countOfBytesSent).toBe(sent);
    await session.close();
  });
});

describe('downloads hand their file over', () => {
  it('a download without a destination is handed over in the store and deleted after the acknowledgement', async () => {
    const content = testContent(10_000);
    const transport = createScriptedTransport([serveBytes(content, { etag: '"v1"' })]);
    const host = createMemoryHost({ transport, seed: 49 });
    const log = eventLog();
    const session = await host.open({ identifier: 'in-store' }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
    const task = await session.download({ url: 'https://files.example/report.pdf' });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1 && session.tasks().length === 0);
    const finished = log.durable[0]!;
    expect(finished.type === 'downloadDidFinish' && finished.inStore).toBe(true);
    expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
    expect(host.byteData.files.size).toBe(0);
    expect([...host.byteData.entries.keys()]).toEqual([]);
    await session.close();
  });
});
