import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession } from '../host/open-session.js';
import { generatedContent, sha256Hex, until, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, recordingListener, serveContent, startFaultServer, type ContentVersion, type FaultServer, type RecordedRequest } from './fault-server.test-helpers.js';

// Faults B10-B13 against the real Node adapter. Waits are measured on the server, from the moment
// it answered to the moment the next attempt reached it, and only bounded from below.
const L = 64 * 1024;
const N = 16 * 1024;
const content = generatedContent(L);
const v1: ContentVersion = { body: content, etag: '"v1"' };
const wait = 10_000;

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

function downloadTo(session: NodeSession, path: string) {
  return session.download({ url: server.url(path), destination: { type: 'path', path: sessions.file(path.slice(1)), ifExists: 'fail' } });
}

/** ms between the server's first answer on `path` and the second request for it. */
function waited(path: string): number {
  const [first, second] = server.requestsTo(path) as [RecordedRequest, RecordedRequest];
  return second.at - (first.respondedAt ?? first.at);
}

/** The first request on `path` gets `status` with `headers`; the next ones get the file. */
function failsOnceWith(path: string, status: number, headers: Record<string, string>): void {
  server.route(path, (request, respond) => (request.pathIndex === 0 ? respond.respond({ status, headers, body: 'busy' }) : serveContent(request, respond, v1)));
}

describe('B10 Retry-After', () => {
  // Timer and clock granularity: a due time is computed from a whole-ms wall clock.
  const slack = 5;

  it('#10 seconds, an HTTP date read against the response Date, 120 s and 10^9 s: waits at least the value, capped at retry.cap', async () => {
    const cap = 1500;
    failsOnceWith('/seconds', 503, { 'retry-after': '1' });
    failsOnceWith('/date', 429, { date: 'Sun, 06 Nov 1994 08:49:37 GMT', 'retry-after': 'Sun, 06 Nov 1994 08:49:38 GMT' });
    failsOnceWith('/minutes', 503, { 'retry-after': '120' });
    failsOnceWith('/huge', 429, { 'retry-after': '1000000000' });
    const session = await sessions.open({ configuration: { retry: { base: 1, cap } } });
    const tasks = await Promise.all(['/seconds', '/date', '/minutes', '/huge'].map((path) => downloadTo(session, path)));
    const outcomes = await within(Promise.all(tasks.map((task) => task.outcome())), wait, 'B10');
    expect(outcomes.map((outcome) => outcome.phase)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(waited('/seconds')).toBeGreaterThanOrEqual(1000 - slack);
    // The date is 1 s after the response's own Date (from 1994): read against the local clock it would be long past.
    expect(waited('/date')).toBeGreaterThanOrEqual(1000 - slack);
    expect(waited('/minutes')).toBeGreaterThanOrEqual(cap - slack);
    expect(waited('/huge')).toBeGreaterThanOrEqual(cap - slack);
    for (const path of ['/seconds', '/date', '/minutes', '/huge']) expect(server.requestsTo(path)).toHaveLength(2);
  });

  it('#10 garbage is ignored: the ordinary backoff applies, not a wait as long as the cap', async () => {
    failsOnceWith('/garbage', 503, { 'retry-after': 'soon, maybe' });
    // A garbage value read as anything long would wait up to a minute: the outcome would not come.
    const session = await sessions.open({ configuration: { retry: { base: 1, cap: 60_000 } } });
    const task = await downloadTo(session, '/garbage');
    expect((await within(task.outcome(), wait, 'B10 garbage')).phase).toBe('succeeded');
    expect(server.requestsTo('/garbage')).toHaveLength(2);
  });
});

describe('B11 final statuses', () => {
  it('#13 400, 401, 403, 404, 410: no retry, one terminal event carrying the status', async () => {
    const statuses = [400, 401, 403, 404, 410];
    for (const status of statuses) server.route(`/s${status}`, (request, respond) => respond.respond({ status, headers: { 'content-type': 'text/plain' }, body: `status ${status}` }));
    const { listener, events } = recordingListener();
    const session = await sessions.open({ listener });
    const tasks = await Promise.all(statuses.map((status) => downloadTo(session, `/s${status}`)));
    const outcomes = await within(Promise.all(tasks.map((task) => task.outcome())), wait, 'B11');
    await until(() => events.length >= statuses.length, wait, 'the terminal events');
    await sessions.closeAll();
    expect(outcomes.map((outcome) => [outcome.phase, outcome.error?.code, outcome.error?.status])).toEqual(statuses.map((status) => ['failed', 'HttpStatus', status]));
    for (const [index, status] of statuses.entries()) {
      const id = tasks[index]?.taskIdentifier;
      const mine = events.filter((event) => event.type !== 'sessionDidBecomeInvalid' && event.task.taskIdentifier === id);
      expect(mine.map((event) => (event.type === 'taskDidComplete' ? [event.type, event.error?.code, event.error?.status] : [event.type]))).toEqual([['taskDidComplete', 'HttpStatus', status]]);
      expect(server.requestsTo(`/s${status}`)).toHaveLength(1);
    }
  });
});

describe('B12 connection resets', () => {
  it('#10 a reset on a reused connection before any response byte: retried at once on a fresh connection, no attempt spent', async () => {
    server.route('/warm', (request, respond) => respond.respond({ status: 200, headers: { etag: '"w"' }, body: 'warm' }));
    server.route('/b12', (request, respond) => (request.pathIndex === 0 ? respond.reset() : serveContent(request, respond, v1)));
    // One connection per host, and one attempt allowed: a retry that counted would end the task.
    const session = await sessions.open({ configuration: { maxConnectionsPerHost: 1, retry: { base: 10, cap: 50, maxAttempts: 1 } } });
    const warm = await downloadTo(session, '/warm');
    expect((await within(warm.outcome(), wait, 'the first download')).phase).toBe('succeeded');
    const task = await downloadTo(session, '/b12');
    const outcome = await within(task.outcome(), wait, 'B12');
    const [warmRequest] = server.requestsTo('/warm');
    const [reset, retry] = server.requestsTo('/b12');
    // The scenario holds: the first request went out on the kept-alive connection.
    expect(reset).toMatchObject({ connection: warmRequest?.connection, onConnection: 1 });
    expect([outcome.phase, outcome.error?.code ?? null, outcome.error?.message ?? null]).toEqual(['succeeded', null, null]);
    expect(retry).toMatchObject({ onConnection: 0 });
    expect(sha256Hex(await readFile(sessions.file('b12')))).toBe(sha256Hex(content));
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ spent: 0 });
  });

  it('#7 a reset after the headers: a counted retry that resumes by Range', async () => {
    server.route('/b12', (request, respond) =>
      serveContent(request, respond, v1, request.pathIndex === 0 ? { cutAfter: N, cutWith: 'reset', beforeEnd: () => keptAtLeast(N) } : {}),
    );
    const session = await sessions.open();
    const task = await downloadTo(session, '/b12');
    expect((await within(task.outcome(), wait, 'B12')).phase).toBe('succeeded');
    expect(sha256Hex(await readFile(sessions.file('b12')))).toBe(sha256Hex(content));
    expect(server.requestsTo('/b12').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`]);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ spent: 1 });
  });
});

/** Resolves once the session's partial files hold `bytes` (so a reset cannot drop bytes in flight). */
async function keptAtLeast(bytes: number): Promise<void> {
  const deadline = Date.now() + wait;
  while ((await sessions.keptBytes()) < bytes && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('B13 a POST reset after its body was sent', () => {
  const body = generatedContent(4096);

  it.each([
    ['a data task', (session: NodeSession) => session.data({ url: server.url('/b13'), method: 'POST', body })],
    ['an upload', (session: NodeSession) => session.upload({ url: server.url('/b13'), method: 'POST', body })],
  ])('#13 %s is not retried: it fails, and the server saw it once', async (_name, create) => {
    server.route('/b13', (request, respond) => respond.reset());
    const session = await sessions.open();
    const task = await create(session);
    const outcome = await within(task.outcome(), wait, 'B13');
    await sessions.closeAll();
    expect([outcome.phase, outcome.error?.code]).toEqual(['failed', 'ConnectionFailed']);
    expect(server.requestsTo('/b13').map((request) => [request.method, request.bodyBytes])).toEqual([['POST', body.length]]);
  });

  it('#13 a POST marked idempotent is retried', async () => {
    server.route('/b13', (request, respond) => (request.pathIndex === 0 ? respond.reset() : respond.respond({ status: 200, body: 'done' })));
    const session = await sessions.open();
    const task = await session.data({ url: server.url('/b13'), method: 'POST', body, idempotent: true });
    expect((await within(task.outcome(), wait, 'B13')).phase).toBe('succeeded');
    expect(server.requestsTo('/b13').map((request) => [request.method, request.bodyBytes])).toEqual([
      ['POST', body.length],
      ['POST', body.length],
    ]);
  });
});
