import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatedContent, sha256Hex, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, startFaultServer, type FaultServer } from './fault-server.test-helpers.js';

// Fault A7, its last clause: a body with no length, ended only by the connection closing, is
// complete (RFC 9112 section 6.3), and nothing can tell it from a cut, so it is never resumed.
// Kept in a file of its own: a failure here can take the process's undici state down with it.
const L = 64 * 1024;
const N = 16 * 1024;
const content = generatedContent(L);

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

describe('A7 a body ended only by the close, with no length', () => {
  it.each([
    ['shorter than the read-ahead (16 KiB)', N],
    ['past the read-ahead (64 KiB), so the body is paused for backpressure when the FIN comes', L],
  ])('is complete and fetched once: %s', async (_name, length) => {
    const body = content.subarray(0, length);
    server.route('/close', (request, respond) => respond.respond({ status: 200, headers: { etag: '"v1"' }, body, framing: 'close' }));
    const session = await sessions.open();
    const path = sessions.file('close.bin');
    const task = await session.download({ url: server.url('/close'), destination: { type: 'path', path, ifExists: 'fail' } });
    expect((await within(task.outcome(), 5_000, 'the close-delimited body')).phase).toBe('succeeded');
    expect(sha256Hex(await readFile(path))).toBe(sha256Hex(body));
    expect(server.requests).toHaveLength(1);
  });
});
