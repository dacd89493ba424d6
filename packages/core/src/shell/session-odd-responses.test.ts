import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, type ScriptStep } from '@bgsession/testing';
import type { Transport } from '../ports/transport.js';
import { createMemoryByteStore } from '../stores/memory-byte-store.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { createSession } from './create-session.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

/*
 * Downloads against servers that answer in odd but real ways: an empty body, a HEAD, a 2xx that is
 * not 200, a 206 nobody asked for, a 206 with no total, an error page that trickles in or stalls.
 * Each ends the way semantics.md sections 4 and 5 say, with the right bytes.
 */

const url = 'https://files.example/file.bin';
const etag = '"v1"';

function openHost(script: readonly ScriptStep[] | ((attempt: number, headers: Readonly<Record<string, string>>) => ScriptStep), seed: number) {
  const transport = createScriptedTransport(
    typeof script === 'function' ? (request, attempt) => script(attempt, request.headers) : script,
  );
  const host = createMemoryHost({ transport, seed });
  const log = eventLog();
  return { transport, host, log, listener: recordingListener(log, (at) => host.byteData.readFile(at)) };
}

describe('a download of an empty or bodiless response', () => {
  it('a 200 with Content-Length: 0 succeeds with an empty file (it was StoreFailed: no part to hand over)', async () => {
    const { host, log, listener } = openHost([{ type: 'respond', status: 200, headers: { 'content-length': '0', etag } }], 301);
    const session = await host.open({ identifier: 'empty' }, { listener });
    const task = await session.download({ url, destination: { type: 'path', path: '/downloads/empty.bin' } });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(host.byteData.readFile('/downloads/empty.bin')).toEqual(new Uint8Array(0));
    await session.close();
  });

  it('an empty chunked body (no length) succeeds with an empty file in the store', async () => {
    const { host, log, listener } = openHost([{ type: 'respond', status: 200, headers: { etag } }], 302);
    const session = await host.open({ identifier: 'empty-chunked' }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(log.files.get(task.taskIdentifier)).toEqual(new Uint8Array(0));
    await session.close();
  });

  it('a download made with HEAD ends after one request with an empty file, whatever Content-Length says (it retried IncompleteBody until the resource timeout)', async () => {
    const { host, log, listener, transport } = openHost([{ type: 'respond', status: 200, headers: { 'content-length': '300000', etag } }], 303);
    const session = await host.open({ identifier: 'head' }, { listener });
    const task = await session.download({ url, method: 'HEAD' });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    expect(log.files.get(task.taskIdentifier)).toEqual(new Uint8Array(0));
    await session.close();
  });

  it('a 204 to a download is an empty file, and a 203 from a transforming proxy is the content (both were HttpStatus failures)', async () => {
    const content = testContent(10);
    const { host, log, listener } = openHost((attempt) => (attempt === 1 ? { type: 'respond', status: 204, headers: { 'content-length': '10' } } : { type: 'respond', status: 203, headers: { 'content-length': '10' }, body: content }), 304);
    const session = await host.open({ identifier: 'statuses' }, { listener });
    const none = await session.download({ url: `${url}?204` });
    const proxied = await session.download({ url: `${url}?203` });
    await runUntil(host, () => completions(log, none.taskIdentifier).length === 1 && completions(log, proxied.taskIdentifier).length === 1);
    expect(completions(log, none.taskIdentifier)[0]!.error).toBeNull();
    expect(log.files.get(none.taskIdentifier)).toEqual(new Uint8Array(0));
    expect(completions(log, proxied.taskIdentifier)[0]!.error).toBeNull();
    expect(firstDifference(log.files.get(proxied.taskIdentifier), content)).toBe(-1);
    await session.close();
  });
});

describe('a transport that decodes bodies (a browser fetch: it cannot ask for identity)', () => {
  it('an encoded 200 whose decoded body is longer than its Content-Length is kept whole (it was cut at the encoded length and delivered as a success)', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 311 });
    const decoded = testContent(1000);
    const transport: Transport = {
      capabilities: { setsAcceptEncoding: false, seesValidators: true, manualRedirects: true, reportsUploadProgress: true },
      start: async () => ({ head: { status: 200, headers: { 'content-encoding': 'gzip', 'content-length': '300' } }, body: (async function* () { yield decoded; })() }),
    };
    const log = eventLog();
    const session = await createSession({
      ports: { store: createMemoryStore(), byteStore: createMemoryByteStore(), transport, clock: host.clock, random: host.random, connectivity: host.connectivity },
      configuration: { identifier: 'decoding' },
      hostOptions: { listener: recordingListener(log, (at) => host.byteData.readFile(at)) },
    });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    const finished = log.durable.find((event) => event.type === 'downloadDidFinish');
    expect(finished?.type === 'downloadDidFinish' && finished.task.countOfBytesReceived).toBe(1000);
    await session.close();
  });
});

describe('a 206 the pump did not expect', () => {
  it('a server that always answers 206 with the whole content (bytes 0-(N-1)/N) to a request without Range: one request, the file whole (it restarted forever)', async () => {
    const content = testContent(4096);
    const { host, log, listener, transport } = openHost(
      [{ type: 'respond', status: 206, headers: { etag, 'content-range': `bytes 0-4095/4096`, 'content-length': '4096' }, body: content }],
      305,
    );
    const session = await host.open({ identifier: 'always-206' }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(1);
    expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
    await session.close();
  });

  it('#6 a resumed 206 with no total (bytes 5-9/*) that runs past its range: only the range is appended, and the file is the 10 bytes (it delivered 16)', async () => {
    const content = new TextEncoder().encode('ABCDEFGHIJ');
    const { host, log, listener, transport } = openHost(
      (attempt, headers) =>
        attempt === 1
          ? { type: 'respond', status: 200, headers: { etag }, body: content, failAfter: { bytes: 5, code: 'ConnectionFailed' } }
          : rangeStart(headers) === 5
            ? { type: 'respond', status: 206, headers: { etag, 'content-range': 'bytes 5-9/*' }, body: new TextEncoder().encode('FGHIJKLMNOP') }
            : { type: 'fail', code: 'ConnectionFailed' },
      306,
    );
    const session = await host.open({ identifier: 'no-total-long', retry: { base: 10, cap: 10 } }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests).toHaveLength(2);
    expect(new TextDecoder().decode(log.files.get(task.taskIdentifier) ?? undefined)).toBe('ABCDEFGHIJ');
    await session.close();
  });

  it('#6 a resumed 206 with no total (bytes 5-9/*) cut after 2 bytes is incomplete and resumed again, never delivered short (it delivered 7 bytes as a success)', async () => {
    const content = new TextEncoder().encode('ABCDEFGHIJ');
    const { host, log, listener, transport } = openHost(
      (attempt, headers) => {
        if (attempt === 1) return { type: 'respond', status: 200, headers: { etag }, body: content, failAfter: { bytes: 5, code: 'ConnectionFailed' } };
        const start = rangeStart(headers) ?? 0;
        if (attempt === 2) return { type: 'respond', status: 206, headers: { etag, 'content-range': 'bytes 5-9/*' }, body: content.subarray(5, 7) };
        return { type: 'respond', status: 206, headers: { etag, 'content-range': `bytes ${start}-9/10` }, body: content.subarray(start) };
      },
      307,
    );
    const session = await host.open({ identifier: 'no-total-short', retry: { base: 10, cap: 10 } }, { listener });
    const task = await session.download({ url });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(transport.requests.map((request) => rangeStart(request.headers))).toEqual([null, 5, 7]);
    expect(new TextDecoder().decode(log.files.get(task.taskIdentifier) ?? undefined)).toBe('ABCDEFGHIJ');
    await session.close();
  });
});

describe('an error page that is slow to arrive', () => {
  const page = testContent(1000);

  it('a 404 whose page trickles in slower than the idle timeout allows in total, but never silent for long, fails once with HttpStatus 404 (it was a retried IdleTimeout)', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([]), seed: 308 });
    let requests = 0;
    // 100 bytes every 300 ms: 3 s in all against an idle timeout of 1 s.
    async function* trickle(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 10; index += 1) {
        await new Promise<void>((resolve) => host.clock.setTimer(300, resolve));
        yield page.subarray(index * 100, index * 100 + 100);
      }
    }
    const transport: Transport = {
      capabilities: { setsAcceptEncoding: true, seesValidators: true, manualRedirects: true, reportsUploadProgress: true },
      start: async () => {
        requests += 1;
        return { head: { status: 404, headers: { 'content-length': '1000' } }, body: trickle() };
      },
    };
    const log = eventLog();
    const session = await createSession({
      ports: { store: createMemoryStore(), byteStore: createMemoryByteStore(), transport, clock: host.clock, random: host.random, connectivity: host.connectivity },
      configuration: { identifier: 'slow-404' },
      hostOptions: { listener: recordingListener(log) },
    });
    const task = await session.download({ url, timeoutForRequest: 1000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    const error = completions(log, task.taskIdentifier)[0]!.error;
    expect(error).toMatchObject({ code: 'HttpStatus', status: 404, retryable: false });
    expect(error?.body).toHaveLength(1000);
    expect(requests).toBe(1);
    await session.close();
  });

  it('a 404 whose page stalls half-way still fails once with HttpStatus 404 and the part of the page read', async () => {
    const { host, log, listener, transport } = openHost([{ type: 'respond', status: 404, headers: { 'content-length': '1000' }, body: page, hangAfter: 300 }], 309);
    const session = await host.open({ identifier: 'stalled-404' }, { listener });
    const task = await session.download({ url, timeoutForRequest: 1000 });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
    const error = completions(log, task.taskIdentifier)[0]!.error;
    expect(error).toMatchObject({ code: 'HttpStatus', status: 404, retryable: false });
    expect(transport.requests).toHaveLength(1);
    await session.close();
  });
});

describe('the name of a download into a directory', () => {
  it('a download resumed by a 206 that names no file, across a kill, still lands under the name the first response suggested (it took the URL\'s)', async () => {
    const content = testContent(64 * 1024);
    const disposition = 'attachment; filename="Q3 report.pdf"';
    const { host, log, listener, transport } = openHost(
      (attempt, headers) => {
        const start = rangeStart(headers);
        if (start === null) return { type: 'respond', status: 200, headers: { etag, 'content-length': String(content.length), 'content-disposition': disposition }, body: content, chunkSize: 8192, hangAfter: 16 * 1024 };
        return { type: 'respond', status: 206, headers: { etag, 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` }, body: content.subarray(start) };
      },
      310,
    );
    const configuration = { identifier: 'named', checkpointBytes: 8192 };
    const session = await host.open(configuration, { listener });
    const task = await session.download({ url: 'https://files.example/download?id=7', destination: { type: 'directory', directory: '/downloads' } });
    await runUntil(host, () => task.info().countOfBytesReceived >= 16 * 1024, 10);
    await host.kill();

    const again = await host.open(configuration, { listener });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
    expect(rangeStart(transport.requests[1]!.headers)).toBeGreaterThan(0);
    const finished = log.durable.find((event) => event.type === 'downloadDidFinish');
    expect(finished?.type === 'downloadDidFinish' && finished.location).toBe('/downloads/Q3 report.pdf');
    expect(firstDifference(host.byteData.readFile('/downloads/Q3 report.pdf'), content)).toBe(-1);
    await again.close();
  });
});
