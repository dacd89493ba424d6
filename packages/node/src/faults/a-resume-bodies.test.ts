import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession } from '../host/open-session.js';
import { generatedContent, sha256Hex, until, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, integrityOf, recordingListener, serveContent, startFaultServer, type ContentVersion, type FaultServer } from './fault-server.test-helpers.js';

// Faults A7-A9 against the real Node adapter: bodies cut in every framing, integrity after a
// resume, and a redirect chain that changes between attempts.
const L = 64 * 1024;
const N = 16 * 1024;
const content = generatedContent(L);
const other = content.map((byte) => byte ^ 0xa5);
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

function destination(path: string) {
  return { type: 'path', path: sessions.file(path.slice(1)), ifExists: 'fail' } as const;
}

async function downloadTo(session: NodeSession, path: string, integrity?: string) {
  return session.download({ url: server.url(path), destination: destination(path), ...(integrity === undefined ? {} : { integrity }) });
}

async function fileHash(path: string): Promise<string> {
  return sha256Hex(await readFile(sessions.file(path.slice(1))));
}

async function exists(path: string): Promise<boolean> {
  return access(sessions.file(path.slice(1))).then(() => true, () => false);
}

describe('A7 a connection closed mid-body', () => {
  it.each([
    ['with Content-Length short', { cutAfter: N }],
    ['chunked without its terminator', { cutAfter: N, framing: 'chunked' }],
  ] as const)('#7 %s: incomplete, resumed from N with Range, no byte fetched twice', async (_name, fault) => {
    server.route('/a7', (request, respond) => serveContent(request, respond, v1, request.pathIndex === 0 ? fault : {}));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a7');
    expect((await within(task.outcome(), wait, 'A7')).phase).toBe('succeeded');
    expect(await fileHash('/a7')).toBe(sha256Hex(content));
    expect(server.requestsTo('/a7').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`]);
    expect(server.bodyBytesWritten()).toBe(L);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: null, spent: 1 });
  });

  it('#9 a close-delimited body cut short, with integrity: IntegrityMismatch, never resumed, never delivered', async () => {
    server.route('/a7', (request, respond) => respond.respond({ status: 200, headers: { etag: '"v1"' }, body: content, framing: 'close', cutAfter: N }));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a7', integrityOf(content));
    const outcome = await within(task.outcome(), wait, 'A7');
    expect(outcome.phase).toBe('failed');
    expect(outcome.error?.code).toBe('IntegrityMismatch');
    expect(server.requestsTo('/a7')).toHaveLength(1);
    expect(await exists('/a7')).toBe(false);
  });

  describe.runIf(spawnSync('openssl', ['version'], { timeout: 5_000 }).status === 0)('over TLS', () => {
    let directory = '';
    let certificate = { key: '', cert: '' };
    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), 'bgsession-a7-tls-'));
      const key = join(directory, 'key.pem');
      const cert = join(directory, 'cert.pem');
      writeFileSync(join(directory, 'ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:TRUE\n');
      const run = (args: string[]) => void execFileSync('openssl', args, { timeout: 10_000, stdio: 'ignore' });
      run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', '/CN=bgsession-test', '-out', join(directory, 'csr')]);
      run(['x509', '-req', '-in', join(directory, 'csr'), '-signkey', key, '-days', '2', '-extfile', join(directory, 'ext'), '-out', cert]);
      certificate = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    it('#7 the TCP connection closed without close_notify mid-body: incomplete, resumed from N', async () => {
      const tls = await startFaultServer({ tls: certificate });
      try {
        tls.route('/a7', (request, respond) => serveContent(request, respond, v1, request.pathIndex === 0 ? { cutAfter: N } : {}));
        const session = await sessions.open({ transport: { ca: certificate.cert, proxyFromEnvironment: false } });
        const task = await session.download({ url: tls.url('/a7'), destination: destination('/a7') });
        expect((await within(task.outcome(), wait, 'A7 over TLS')).phase).toBe('succeeded');
        expect(await fileHash('/a7')).toBe(sha256Hex(content));
        expect(tls.requestsTo('/a7').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`]);
        expect(tls.bodyBytesWritten()).toBe(L);
      } finally {
        await sessions.closeAll();
        await tls.close();
      }
    });
  });
});

describe('A8 integrity', () => {
  it('#6 a mismatch after a resumed download gets one free restart from 0, and the file is right', async () => {
    const corrupt = Uint8Array.from(content);
    corrupt.fill(0, 0, 1024);
    server.route('/a8', (request, respond) =>
      request.pathIndex === 0 ? serveContent(request, respond, { ...v1, body: corrupt }, { cutAfter: N }) : serveContent(request, respond, v1),
    );
    const session = await sessions.open();
    const task = await downloadTo(session, '/a8', integrityOf(content));
    expect((await within(task.outcome(), wait, 'A8')).phase).toBe('succeeded');
    expect(await fileHash('/a8')).toBe(sha256Hex(content));
    expect(server.requestsTo('/a8').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`, null]);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ lastRestart: 'IntegrityRestart', spent: 1 });
  });

  it('#9 a mismatch on a download fetched whole from 0 is IntegrityMismatch, one terminal event, the file never delivered', async () => {
    server.route('/a8', (request, respond) => serveContent(request, respond, v1));
    const { listener, events } = recordingListener();
    const session = await sessions.open({ listener });
    const task = await downloadTo(session, '/a8', integrityOf(other));
    const outcome = await within(task.outcome(), wait, 'A8');
    expect(outcome).toMatchObject({ phase: 'failed', error: { code: 'IntegrityMismatch' } });
    await until(() => events.length > 0, wait, 'the terminal event');
    await sessions.closeAll();
    expect(events.map((event) => [event.type, event.type === 'taskDidComplete' ? event.error?.code : null])).toEqual([['taskDidComplete', 'IntegrityMismatch']]);
    expect(server.requestsTo('/a8')).toHaveLength(1);
    expect(await exists('/a8')).toBe(false);
  });

  it('#9 a mismatch after the free restart too is IntegrityMismatch: exactly one restart, the file never delivered', async () => {
    server.route('/a8', (request, respond) => serveContent(request, respond, v1, request.pathIndex === 0 ? { cutAfter: N } : {}));
    const session = await sessions.open();
    const task = await downloadTo(session, '/a8', integrityOf(other));
    expect(await within(task.outcome(), wait, 'A8')).toMatchObject({ phase: 'failed', error: { code: 'IntegrityMismatch' } });
    expect(server.requestsTo('/a8').map((request) => request.headers['range'] ?? null)).toEqual([null, `bytes=${N}-`, null]);
    expect(await exists('/a8')).toBe(false);
  });
});

describe('A9 a redirect chain that changes between attempts (presigned links)', () => {
  it('#7 still resumes when the validator matches, with If-Range sent to the current URL', async () => {
    server.route('/start', (request, respond) => respond.respond({ status: 302, headers: { location: `/signed?sig=${request.pathIndex}` } }));
    server.route('/signed', (request, respond) => serveContent(request, respond, v1, request.pathIndex === 0 ? { cutAfter: N } : {}));
    const session = await sessions.open();
    const task = await session.download({ url: server.url('/start'), destination: destination('/a9') });
    expect((await within(task.outcome(), wait, 'A9')).phase).toBe('succeeded');
    expect(await fileHash('/a9')).toBe(sha256Hex(content));
    const signed = server.requestsTo('/signed');
    expect(signed.map((request) => request.url)).toEqual(['/signed?sig=0', '/signed?sig=1']);
    expect(signed[1]?.headers).toMatchObject({ range: `bytes=${N}-`, 'if-range': '"v1"' });
    expect(server.bodyBytesWritten()).toBe(L);
  });
});
