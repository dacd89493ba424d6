import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultSessions } from '../faults/fault-server.test-helpers.js';
import { within } from '../host/range-server.test-helpers.js';
import { startRawServer } from './test-servers.test-helpers.js';

// A complete HTTP/1.1 Content-Length body (no validator, no `Connection: close`) after which the
// server closes: the session reads it as the transport hands it over, so the body is paused on its
// last chunk when the FIN comes. It must count as complete: as IncompleteBody a data task spent
// every attempt and a download without validator restarted forever.
// Kept in a file of its own: a failure here can take the process's undici state down with it.
const size = 64 * 1024;
const body = Buffer.alloc(size, 0x61);

let sessions: FaultSessions;
let requests = 0;
let server: Awaited<ReturnType<typeof startRawServer>>;

beforeEach(async () => {
  requests = 0;
  sessions = await FaultSessions.create();
  server = await startRawServer((socket) => {
    requests += 1;
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`, 'latin1'), body]));
  });
});
afterEach(async () => {
  await sessions.dispose();
  await server.close();
});

describe('a complete body the server closes after, through a session', () => {
  it('a data task succeeds with the whole body, on one request', async () => {
    const session = await sessions.open({ configuration: { retry: { maxAttempts: 3, base: 10, cap: 50 } } });
    const task = await session.data({ url: `${server.origin}/data` });
    const outcome = await within(task.outcome(), 20_000, 'the data task');
    expect(outcome.error?.code ?? null).toBeNull();
    expect(outcome.phase).toBe('succeeded');
    expect(requests).toBe(1);
  });

  it('a download without validator succeeds with the whole file, on one request', async () => {
    const session = await sessions.open();
    const path = sessions.file('out.bin');
    const task = await session.download({ url: `${server.origin}/file`, destination: { type: 'path', path, ifExists: 'fail' } });
    const outcome = await within(task.outcome(), 20_000, 'the download');
    expect(outcome.error?.code ?? null).toBeNull();
    expect(outcome.phase).toBe('succeeded');
    expect((await readFile(path)).equals(body)).toBe(true);
    expect(requests).toBe(1);
  });
});
