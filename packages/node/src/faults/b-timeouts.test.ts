import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatedContent, sha256Hex, until, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, recordingListener, serveContent, startFaultServer, type ContentVersion, type FaultServer } from './fault-server.test-helpers.js';

// Fault B15 against the real Node adapter: silence fails an attempt (retried, resumed); the
// resource deadline ends the task, once, counting the time no host ran.
const L = 64 * 1024;
const N = 16 * 1024;
const content = generatedContent(L);
const v1: ContentVersion = { body: content, etag: '"v1"' };
const wait = 10_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

describe('B15 idle timeout and resource timeout', () => {
  it('#11 silence for timeoutForRequest fails the attempt, which is retried and resumes from the kept bytes', async () => {
    const idle = 300;
    server.route('/idle', (request, respond) => serveContent(request, respond, v1, request.pathIndex === 0 ? { cutAfter: N, cutWith: 'stall' } : {}));
    const session = await sessions.open({ configuration: { timeoutForRequest: idle, retry: { base: 10, cap: 50 } } });
    const path = sessions.file('idle.bin');
    const task = await session.download({ url: server.url('/idle'), destination: { type: 'path', path, ifExists: 'fail' } });
    expect((await within(task.outcome(), wait, 'B15 idle')).phase).toBe('succeeded');
    expect(sha256Hex(await readFile(path))).toBe(sha256Hex(content));
    const [first, second] = server.requestsTo('/idle');
    expect(second?.headers['range']).toBe(`bytes=${N}-`);
    // The last byte of the first response went out after its head: the silence lasted at least this.
    expect((second?.at ?? 0) - (first?.respondedAt ?? Infinity)).toBeGreaterThanOrEqual(idle - 5);
    expect((await sessions.storedTasks()).get(task.taskIdentifier)).toMatchObject({ spent: 1 });
  });

  it('#11 the resource deadline ends a retrying task as timedOut exactly once, and nothing is tried after it', async () => {
    server.route('/busy', (request, respond) => respond.respond({ status: 503, body: 'busy' }));
    const { listener, events } = recordingListener();
    const session = await sessions.open({ listener });
    const task = await session.download({ url: server.url('/busy'), timeoutForResource: 600, destination: { type: 'path', path: sessions.file('busy.bin'), ifExists: 'fail' } });
    const outcome = await within(task.outcome(), wait, 'B15 resource');
    const requestsAtEnd = server.requests.length;
    await until(() => events.length > 0, wait, 'the terminal event');
    await sleep(300);
    await sessions.closeAll();
    expect([outcome.phase, outcome.error?.code]).toEqual(['timedOut', 'ResourceTimeout']);
    expect(events.map((event) => [event.type, event.type === 'taskDidComplete' ? event.error?.code : null])).toEqual([['taskDidComplete', 'ResourceTimeout']]);
    expect(requestsAtEnd).toBeGreaterThan(1);
    // At most an attempt already on the wire when the deadline came.
    expect(server.requests.length - requestsAtEnd).toBeLessThanOrEqual(1);
  });

  it('#11 the deadline counts the time no host ran: the task ends timedOut at the next open, with no new request', async () => {
    server.route('/silent', (request, respond) => respond.stall());
    const first = await sessions.open();
    const task = await first.download({ url: server.url('/silent'), timeoutForResource: 500, destination: { type: 'path', path: sessions.file('silent.bin'), ifExists: 'fail' } });
    // The task was created before this instant: its deadline is at most 500 ms after it.
    const created = Date.now();
    await until(() => server.requests.length === 1, wait, 'the first attempt');
    await sessions.closeAll();
    await sleep(Math.max(0, created + 600 - Date.now()));

    const { listener, events } = recordingListener();
    const second = await sessions.open({ listener });
    await until(() => events.length > 0, wait, 'the terminal event after the reopen');
    expect(events.map((event) => [event.type, event.type === 'taskDidComplete' ? [event.task.taskIdentifier, event.task.phase, event.error?.code] : null])).toEqual([
      ['taskDidComplete', [task.taskIdentifier, 'timedOut', 'ResourceTimeout']],
    ]);
    await until(() => second.tasks().length === 0, wait, 'the acknowledgement');
    expect(server.requests).toHaveLength(1);
  });
});
