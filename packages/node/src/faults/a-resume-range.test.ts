import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession } from '../host/open-session.js';
import { generatedContent, sha256Hex, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, serveContent, startFaultServer, type ContentVersion, type FaultServer } from './fault-server.test-helpers.js';

// Faults A1-A3 against the real Node adapter: a first attempt keeps N bytes (its body is cut),
// then the server answers the Range request wrongly. The kept bytes must never be combined with
// what does not continue them, and nothing may throw.
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

async function downloadTo(session: NodeSession, path: string) {
  return session.download({ url: server.url(path), destination: { type: 'path', path: sessions.file(path.slice(1)), ifExists: 'fail' } });
}

async function fileHash(path: string): Promise<string> {
  return sha256Hex(await readFile(sessions.file(path.slice(1))));
}

describe('A1 a server that ignores Range', () => {
  it('#6 answers 200 after N bytes were kept: the file is rewritten from 0 once, no attempt spent, reason ServerIgnoredRange', async () => {
    server.route('/a1', (request, respond) =>
      request.pathIndex === 0 ? serveContent(request, respond, v1, { cutAfter: N }) : respond.respond({ status: 200, headers: { etag: '"v1"' }, body: content }),
    );
    const session = await sessions.open();
    const task = await downloadTo(session, '/a1');
    expect((await within(task.outcome(), wait, 'A1')).phase).toBe('succeeded');
    expect(await fileHash('/a1')).toBe(sha256Hex(content));
    const requests = server.requestsTo('/a1');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': '"v1"' });
    expect(server.bodyBytesWritten()).toBe(N + L);
    // The cut spent one attempt; the restart from 0 spent none.
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ phase: 'succeeded', lastRestart: 'ServerIgnoredRange', spent: 1 });
  });
});

describe('A2 a 206 that starts elsewhere than N', () => {
  it.each([
    ['N-1', N - 1],
    ['0', 0],
    ['N+4096', N + 4096],
  ])('#6 a 206 starting at %s: nothing appended, restart from 0 without Range, reason RangeMismatch', async (_name, start) => {
    server.route('/a2', (request, respond) => {
      if (request.pathIndex === 0) return serveContent(request, respond, v1, { cutAfter: N });
      if (request.pathIndex === 1) {
        return respond.respond({ status: 206, headers: { etag: '"v1"', 'content-range': `bytes ${start}-${L - 1}/${L}` }, body: content.subarray(start) });
      }
      return serveContent(request, respond, v1);
    });
    const session = await sessions.open();
    const task = await downloadTo(session, '/a2');
    expect((await within(task.outcome(), wait, 'A2')).phase).toBe('succeeded');
    expect(await fileHash('/a2')).toBe(sha256Hex(content));
    const requests = server.requestsTo('/a2');
    expect(requests).toHaveLength(3);
    expect(requests[1]?.headers['range']).toBe(`bytes=${N}-`);
    expect(requests[2]?.headers['range']).toBeUndefined();
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: 'RangeMismatch', spent: 1 });
  });
});

describe('A3 an invalid Content-Range', () => {
  const rest = content.subarray(N);
  const multipart = Buffer.concat([
    Buffer.from(`--x\r\ncontent-type: application/octet-stream\r\ncontent-range: bytes ${N}-${L - 1}/${L}\r\n\r\n`),
    rest,
    Buffer.from('\r\n--x--\r\n'),
  ]);
  const forms: ReadonlyArray<readonly [string, Record<string, string>, Uint8Array]> = [
    ['last < first', { 'content-range': `bytes ${N}-${N - 1}/${L}` }, rest],
    ['total <= last', { 'content-range': `bytes ${N}-${L - 1}/${L - 1}` }, rest],
    ['bytes 5-/10', { 'content-range': 'bytes 5-/10' }, rest],
    ['unit items', { 'content-range': `items ${N}-${L - 1}/${L}` }, rest],
    ['missing', {}, rest],
    ['multipart/byteranges', { 'content-type': 'multipart/byteranges; boundary=x' }, multipart],
    ['last past 2^53', { 'content-range': `bytes ${N}-9007199254740993/9007199254740994` }, rest],
    ['first past 2^53', { 'content-range': `bytes 9007199254740993-9007199254740999/9007199254741000` }, rest],
  ];

  it('#6 each form is never combined with the kept bytes: restart from 0, reason RangeMismatch, no throw', async () => {
    const session = await sessions.open({ configuration: { retry: { base: 10, cap: 50 }, maxConnectionsPerHost: forms.length } });
    const tasks = [];
    for (const [index, [, headers, body]] of forms.entries()) {
      server.route(`/a3-${index}`, (request, respond) => {
        if (request.pathIndex === 0) return serveContent(request, respond, v1, { cutAfter: N });
        if (request.pathIndex === 1) return respond.respond({ status: 206, headers: { etag: '"v1"', ...headers }, body });
        return serveContent(request, respond, v1);
      });
      tasks.push(await downloadTo(session, `/a3-${index}`));
    }
    const outcomes = await within(Promise.all(tasks.map((task) => task.outcome())), wait, 'A3');
    const stored = await sessions.storedTasks();
    for (const [index, [name]] of forms.entries()) {
      const requests = server.requestsTo(`/a3-${index}`);
      expect({ name, phase: outcomes[index]?.phase, requests: requests.length, ranges: requests.map((r) => r.headers['range'] ?? null) }).toEqual({
        name,
        phase: 'succeeded',
        requests: 3,
        ranges: [null, `bytes=${N}-`, null],
      });
      expect({ name, hash: await fileHash(`/a3-${index}`) }).toEqual({ name, hash: sha256Hex(content) });
      expect({ name, ...stored.get(tasks[index]!.taskIdentifier) }).toMatchObject({ name, lastRestart: 'RangeMismatch', spent: 1 });
    }
  });
});
