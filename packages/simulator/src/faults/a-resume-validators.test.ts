import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { formatHttpDate } from '../servers/http-date-format.js';
import { generatedContent } from '../servers/generated-content.js';
import { respond } from '../servers/respond.js';
import type { ServerFault } from '../servers/server-fault.js';
import type { SimFileOptions } from '../servers/sim-file-options.js';
import { sliceBody } from '../servers/slice-body.js';
import { backoffs, bytesServed, destinationOf, digest, download, faultWorld, L, N, rangesTo, requestsTo, rewritesFromZero, runToEnd, worldStart } from './a-fault-world.test-helpers.js';

// Faults A4-A6 on the simulator: what the kept bytes may be resumed under (a strong validator
// only), what a changed version does to them, and what a 416 means.
const first = generatedContent({ seed: 51, length: L });
const second = first.nextVersion();
const cut: ServerFault = { type: 'cut', afterBytes: N };

/** The bytes a splice of the two versions at N would have: right length, wrong content. */
const splice = new Uint8Array([...first.read(0, N), ...second.read(N, L - N)]);

describe('A4 the content changes between attempts', () => {
  it.each([
    ['a new strong ETag', { validator: 'etag' }, `"${first.tag}"`],
    ['a new Last-Modified', { validator: 'lastModified' }, formatHttpDate(worldStart - 86_400_000)],
  ] as const)('#6 %s on a compliant server (If-Range answers 200): the file is the new version, never a splice', async (_name, options, ifRange) => {
    const fault = await faultWorld(11);
    const resource = fault.server.file('/a4.bin', { content: first, ...options, script: faultsByAttempt({ 1: cut, 2: { type: 'newVersion', content: second } }) });
    const task = await download(fault, '/a4.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(resource.version).toBe(2);
    const file = fault.world.disk.readFile(destinationOf('/a4.bin'));
    expect(digest(file)).toBe(digest(second.read(0, L)));
    expect(digest(file)).not.toBe(digest(splice));
    const requests = requestsTo(fault.server, '/a4.bin');
    expect(requests.map((request) => request.status)).toEqual([200, 200]);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': ifRange });
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'ValidatorChanged', attempts: { spent: 1 } });
  });

  it('#8 a server that ignores If-Range and sends a 206 of the new version: nothing appended, the new version fetched whole', async () => {
    const fault = await faultWorld(12);
    fault.server.file('/a4.bin', {
      content: first,
      script: (_request, attempt, context) => {
        if (attempt === 1) return cut;
        if (attempt !== 2 || context.resource === null) return undefined;
        context.resource.update(second);
        const headers = { date: formatHttpDate(context.now), etag: `"${second.tag}"`, 'content-range': `bytes ${N}-${L - 1}/${L}` };
        return respond(206, { headers, body: sliceBody(second, N, L) });
      },
    });
    const task = await download(fault, '/a4.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a4.bin')))).toBe(digest(second.read(0, L)));
    expect(rangesTo(fault.server, '/a4.bin')).toEqual([null, `bytes=${N}-`, null]);
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'ValidatorChanged', attempts: { spent: 1 } });
  });
});

describe('A5 which validators allow If-Range (RFC 9110 8.8.2.2 and 13.1.5)', () => {
  const noLastModified: ServerFault = { type: 'header', name: 'last-modified', value: null };
  const weakForms: readonly (readonly [string, Omit<SimFileOptions, 'content'>])[] = [
    ['only a weak ETag', { validator: 'weakEtag', script: (_request, attempt) => (attempt === 1 ? [cut, noLastModified] : noLastModified) }],
    // An entity tag, even a weak one, forbids an If-Range date (13.1.5): the strong date is not used.
    ['a weak ETag beside a Last-Modified a day old', { validator: 'weakEtag', script: faultsByAttempt({ 1: cut }) }],
    // Modified at the world's start: the first responses' Date falls in the same second.
    ['only a Last-Modified within 1 s of Date', { validator: 'lastModified', lastModifiedAge: 0, script: faultsByAttempt({ 1: cut }) }],
  ];

  it.each(weakForms)('#8 %s: no Range, no If-Range, the kept bytes are dropped and the file rewritten from 0 once, and is right', async (_name, options) => {
    const fault = await faultWorld(13);
    fault.server.file('/a5.bin', { content: first, ...options });
    const task = await download(fault, '/a5.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a5.bin')))).toBe(digest(first.read(0, L)));
    const requests = requestsTo(fault.server, '/a5.bin');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers['range']).toBeUndefined();
    expect(requests[1]?.headers['if-range']).toBeUndefined();
    expect(bytesServed(fault.server, '/a5.bin')).toBe(N + L);
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', attempts: { spent: 1 } });
  });

  // semantics.md lists `WeakValidator` among the restart reasons "in the trace and the task's
  // record": the pump drops the kept bytes before the request, and still says why.
  it('#8 only a weak ETag: the restart from 0 is recorded with reason WeakValidator', async () => {
    const [, options] = weakForms[0] ?? ['', {}];
    const fault = await faultWorld(13);
    fault.server.file('/a5.bin', { content: first, ...options });
    const ending = await runToEnd(fault, await download(fault, '/a5.bin'));
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'WeakValidator' });
  });

  it('#7 a Last-Modified older than Date - 1 s: resumed with Range and If-Range naming the date, nothing fetched twice', async () => {
    const fault = await faultWorld(14);
    fault.server.file('/a5.bin', { content: first, validator: 'lastModified', lastModifiedAge: 10_000, script: faultsByAttempt({ 1: cut }) });
    const task = await download(fault, '/a5.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a5.bin')))).toBe(digest(first.read(0, L)));
    const requests = requestsTo(fault.server, '/a5.bin');
    expect(requests.map((request) => request.status)).toEqual([200, 206]);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': formatHttpDate(worldStart - 10_000) });
    expect(bytesServed(fault.server, '/a5.bin')).toBe(L);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: null });
  });
});

describe('A6 a 416 to the Range request', () => {
  const html = '<html><body>Range Not Satisfiable</body></html>';
  const etag = `"${first.tag}"`;

  it('#6 bytes */L with L = N: complete, nothing appended, the 416 body never written into the file', async () => {
    const short = generatedContent({ seed: 52, length: N });
    const fault = await faultWorld(15);
    fault.server.file('/a6.bin', {
      content: short,
      script: (_request, attempt, context) => {
        if (attempt !== 1) return undefined;
        // A chunked body cut after its N bytes and before its terminator: every byte of the file
        // arrived, but the client cannot know the body was complete. (The server meant to send
        // more, so the simulated network sees a cut rather than a clean end.)
        const meant = new Uint8Array([...short.read(0, N), ...new Uint8Array(4096)]);
        const plan = respond(200, { headers: { date: formatHttpDate(context.now), etag: `"${short.tag}"` }, body: meant, framing: 'chunked' });
        return { ...plan, cutAfter: N };
      },
    });
    const task = await download(fault, '/a6.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a6.bin')))).toBe(digest(short.read(0, N)));
    const requests = requestsTo(fault.server, '/a6.bin');
    // The compliant answer to bytes=N- of an N-byte file: 416 bytes */N, with an HTML body.
    expect(requests.map((request) => request.status)).toEqual([200, 416]);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': `"${short.tag}"` });
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(0);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: null });
  });

  it.each([
    ['L < N', { 'content-range': `bytes */${N - 1}` }, undefined],
    ['L > N', { 'content-range': `bytes */${L}` }, undefined],
    ['no Content-Range', {}, undefined],
    ['an HTML body', { 'content-type': 'text/html', 'content-range': `bytes */${N + 7}` }, html],
  ] as const)('#6 %s: restart from 0, the 416 body never written into the file, reason RangeNotSatisfiable', async (_name, headers, body) => {
    const fault = await faultWorld(16);
    const status: ServerFault = { type: 'status', status: 416, headers: { etag, ...headers }, ...(body === undefined ? {} : { body }) };
    // Chunked, so the kept bytes carry no expected length: only the 416's own total can say done.
    fault.server.file('/a6.bin', { content: first, framing: 'chunked', script: faultsByAttempt({ 1: cut, 2: status }) });
    const task = await download(fault, '/a6.bin');
    const ending = await runToEnd(fault, task);

    expect(ending.violations).toEqual([]);
    expect(digest(fault.world.disk.readFile(destinationOf('/a6.bin')))).toBe(digest(first.read(0, L)));
    expect(requestsTo(fault.server, '/a6.bin').map((request) => [request.status, request.headers['range'] ?? null])).toEqual([
      [200, null],
      [416, `bytes=${N}-`],
      [200, null],
    ]);
    expect(rewritesFromZero(fault.world, task.taskIdentifier)).toBe(1);
    expect(backoffs(fault.world, task.taskIdentifier)).toBe(1);
    expect(ending.record).toMatchObject({ phase: 'succeeded', lastRestart: 'RangeNotSatisfiable', attempts: { spent: 1 } });
  });
});
