import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkCrashRun } from './check-crash-run.test-helpers.js';
import { startCrashFileServer, type CrashFileServer } from './crash-file-server.test-helpers.js';
import { createCrashRun } from './crash-run.test-helpers.js';
import { killAllCrashChildren } from './launch-crash-child.test-helpers.js';
import { readAppLog } from './read-app-log.test-helpers.js';

// faults.md C17 with B13 and semantics section 4: a POST is a non-idempotent request. The server
// tells the harness when the POST's body has arrived, and the harness SIGKILLs the child before
// any answer: the request was in flight when its host died.
const launchTimeoutMs = 30_000;

let server: CrashFileServer;
let parent: string;
let launches = 0;

beforeAll(async () => {
  server = await startCrashFileServer({ files: { 'small-0': 64 * 1024 }, bytesPerSecond: 8 * 1024 * 1024, postDelayMs: 200 });
  parent = await mkdtemp(join(tmpdir(), 'bgsession-crash-post-'));
});

afterEach(async () => {
  await killAllCrashChildren();
});

afterAll(async () => {
  await killAllCrashChildren();
  await server.close();
  await rm(parent, { recursive: true, force: true });
});

describe('C17 a POST in flight when the host is SIGKILLed', () => {
  it('#13 ends RequestInterrupted after the relaunch and is never sent again; the other task still finishes', async () => {
    const run = await createCrashRun({
      server,
      root: await mkdtemp(join(parent, 'run-')),
      name: 'post in flight',
      workload: { downloads: ['small-0'], posts: [{ key: 'post-1', bodyBytes: 16 * 1024 }], checkpointBytes: 32 * 1024, descriptionBytes: 0 },
      launchTimeoutMs,
      nextLaunch: () => (launches += 1),
    });
    const killed = await run.launch({ type: 'post' });
    expect(killed.exit.signal).toBe('SIGKILL');
    const posted = server.requests.filter((request) => request.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.bytesReceived).toBe(16 * 1024);
    expect(readAppLog(run.plan.appLog).filter((line) => line.kind === 'delivered' && line.key === 'post-1')).toEqual([]);

    const relaunched = await run.launch({ type: 'none' });
    expect(relaunched.exit.code).toBe(0);
    const final = await run.finalLaunch();

    const ends = readAppLog(run.plan.appLog).filter((line) => line.kind === 'delivered' && line.key === 'post-1');
    expect(ends).toEqual([expect.objectContaining({ type: 'taskDidComplete', launch: relaunched.launch, error: 'RequestInterrupted', status: null })]);
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    console.log(`C17 POST in flight: 1 kill; the POST reached the server ${posted.length} time(s) and ended ${ends[0]?.kind === 'delivered' ? String(ends[0].error) : '?'}`);
    expect(checkCrashRun(run, server, final).violations).toEqual([]);
  });
});
