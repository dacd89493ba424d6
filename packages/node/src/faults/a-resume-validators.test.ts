import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession } from '../host/open-session.js';
import { generatedContent, sha256Hex, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, serveContent, startFaultServer, type ContentVersion, type FaultServer } from './fault-server.test-helpers.js';

// Faults A4-A6 against the real Node adapter: what the kept bytes may be resumed under (a strong
// validator only), what a changed version does to them, and what a 416 means.
const L = 64 * 1024;
const N = 16 * 1024;
const first = generatedContent(L);
// The same length, other bytes: a splice of the two would have the right size and the wrong content.
const second = first.map((byte) => byte ^ 0x5a);
const wait = 10_000;
const monday = 'Mon, 01 Jan 2024 00:00:00 GMT';
const mondayLater = 'Mon, 01 Jan 2024 00:00:10 GMT';
const tuesday = 'Tue, 02 Jan 2024 00:00:00 GMT';
const tuesdayLater = 'Tue, 02 Jan 2024 00:00:10 GMT';

let server: FaultServer;
let sessions: FaultSessions;

beforeEach(async () => {
  server = await startFaultServer();
  sessions = await FaultSessions.create();
});
afterEach(async () => {
  await sessions.dispose();
  await server.close();
});

async function downloadTo(session: NodeSession, path: string) {
  return session.download({ url: server.url(path), destination: { type: 'path', path: sessions.file(path.slice(1)), ifExists: 'fail' } });
}

async function fileHash(path: string): Promise<string> {
  return sha256Hex(await readFile(sessions.file(path.slice(1))));
}

/** The first attempt gets `before` cut after N bytes; later ones get what `after` says. */
function changesAfterCut(path: string, before: ContentVersion, after: Parameters<FaultServer['route']>[1]): void {
  server.route(path, (request, respond) => (request.pathIndex === 0 ? serveContent(request, respond, before, { cutAfter: N }) : after(request, respond)));
}

describe('A4 the content changes between attempts', () => {
  it.each([
    ['a new strong ETag', { body: first, etag: '"v1"' }, { body: second, etag: '"v2"' }, '"v1"'],
    ['a new Last-Modified', { body: first, lastModified: monday, date: mondayLater }, { body: second, lastModified: tuesday, date: tuesdayLater }, monday],
  ] as const)('#6 %s on a compliant server (If-Range answers 200): the file is the new version, never a splice', async (_name, before, after, ifRange) => {
    changesAfterCut('/a4', before, (request, respond) => serveContent(request, respond, after));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a4');
    expect((await within(task.outcome(), wait, 'A4')).phase).toBe('succeeded');
    expect(await fileHash('/a4')).toBe(sha256Hex(second));
    const requests = server.requestsTo('/a4');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': ifRange });
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: 'ValidatorChanged', spent: 1 });
  });

  it('#8 a server that ignores If-Range and sends a 206 of the new version: nothing appended, the file is the new version', async () => {
    changesAfterCut('/a4', { body: first, etag: '"v1"' }, (request, respond) =>
      request.pathIndex === 1
        ? respond.respond({ status: 206, headers: { etag: '"v2"', 'content-range': `bytes ${N}-${L - 1}/${L}` }, body: second.subarray(N) })
        : serveContent(request, respond, { body: second, etag: '"v2"' }),
    );
    const session = await sessions.open();
    const task = await downloadTo(session, '/a4');
    expect((await within(task.outcome(), wait, 'A4')).phase).toBe('succeeded');
    expect(await fileHash('/a4')).toBe(sha256Hex(second));
    expect(server.requestsTo('/a4').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`, null]);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: 'ValidatorChanged' });
  });
});

describe('A5 which validators allow If-Range (RFC 9110 8.8.2.2)', () => {
  it.each([
    ['only a weak ETag', { body: first, etag: 'W/"v1"' }],
    ['only a Last-Modified within 1 s of Date', { body: first, lastModified: monday, date: monday }],
  ] as const)('#8 %s: no Range, no If-Range, the download restarts from 0 and is right', async (_name, version) => {
    server.route('/a5', (request, respond) => serveContent(request, respond, version, request.pathIndex === 0 ? { cutAfter: N } : {}));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a5');
    expect((await within(task.outcome(), wait, 'A5')).phase).toBe('succeeded');
    expect(await fileHash('/a5')).toBe(sha256Hex(first));
    const requests = server.requestsTo('/a5');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers['range']).toBeUndefined();
    expect(requests[1]?.headers['if-range']).toBeUndefined();
  });

  it('#7 a Last-Modified older than Date - 1 s: resumed with Range and If-Range naming the date', async () => {
    const version: ContentVersion = { body: first, lastModified: monday, date: mondayLater };
    server.route('/a5', (request, respond) => serveContent(request, respond, version, request.pathIndex === 0 ? { cutAfter: N } : {}));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a5');
    expect((await within(task.outcome(), wait, 'A5')).phase).toBe('succeeded');
    expect(await fileHash('/a5')).toBe(sha256Hex(first));
    const requests = server.requestsTo('/a5');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': monday });
    expect(server.bodyBytesWritten()).toBe(L);
  });
});

describe('A6 a 416 to the Range request', () => {
  const html = '<html><body>Range Not Satisfiable</body></html>';

  it('#6 bytes */L with L = N: complete, nothing appended, the 416 body never written into the file', async () => {
    const whole = first.subarray(0, N);
    server.route('/a6', (request, respond) =>
      request.pathIndex === 0
        ? // Chunked without its terminator: every byte arrived, but the body is not known to be complete.
          respond.respond({ status: 200, headers: { etag: '"v1"' }, body: whole, framing: 'chunked', cutAfter: N })
        : respond.respond({ status: 416, headers: { etag: '"v1"', 'content-range': `bytes */${N}`, 'content-type': 'text/html' }, body: html }),
    );
    const session = await sessions.open();
    const task = await downloadTo(session, '/a6');
    expect((await within(task.outcome(), wait, 'A6')).phase).toBe('succeeded');
    expect(await fileHash('/a6')).toBe(sha256Hex(whole));
    const requests = server.requestsTo('/a6');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': '"v1"' });
  });

  it.each([
    ['L < N', { 'content-range': `bytes */${N - 1}` }],
    ['L > N', { 'content-range': `bytes */${L}` }],
    ['no Content-Range', {}],
    ['an HTML body', { 'content-type': 'text/html', 'content-range': `bytes */${N + 7}` }],
  ] as const)('#6 %s: restart from 0, the 416 body never written into the file, reason RangeNotSatisfiable', async (_name, headers) => {
    server.route('/a6', (request, respond) => {
      if (request.pathIndex === 0) return respond.respond({ status: 200, headers: { etag: '"v1"' }, body: first, framing: 'chunked', cutAfter: N });
      if (request.pathIndex === 1) return respond.respond({ status: 416, headers: { etag: '"v1"', ...headers }, body: html });
      return serveContent(request, respond, { body: first, etag: '"v1"' });
    });
    const session = await sessions.open();
    const task = await downloadTo(session, '/a6');
    expect((await within(task.outcome(), wait, 'A6')).phase).toBe('succeeded');
    expect(await fileHash('/a6')).toBe(sha256Hex(first));
    expect(server.requestsTo('/a6').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`, null]);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: 'RangeNotSatisfiable', spent: 1 });
  });
});
