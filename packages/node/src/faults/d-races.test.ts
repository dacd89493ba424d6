import { access, readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlResult, Task } from '@bgsession/core';
import { generatedContent, sha256Hex, until, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, recordingListener, serveContent, startFaultServer, type FaultServer } from './fault-server.test-helpers.js';

// Fault D24 against the real Node adapter: races between the app's calls and the end of a
// transfer. fc.scheduler picks which of the two competing actions starts first; real I/O does the
// rest. Whatever wins, there is one outcome, consistent with what the call said it did.
const runs = Math.max(4, Math.round(Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100) / 10));
const size = 64 * 1024;
const piece = 16 * 1024;
const content = generatedContent(size);
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

/**
 * Serves `path` slowly and holds the last piece of the first response: resolves, once the server
 * waits there, with the function that lets the last piece go.
 */
function holdLastPiece(path: string): Promise<() => void> {
  return new Promise((held) => {
    server.route(path, (request, respond) =>
      serveContent(request, respond, { body: content, etag: '"v1"' }, {
        drip: { bytes: piece, everyMs: 1 },
        ...(request.pathIndex === 0 ? { beforeLastPiece: () => new Promise<void>((release) => held(release)) } : {}),
      }),
    );
  });
}

const exists = (path: string) => access(path).then(() => true, () => false);

describe('D24 races', () => {
  it('#2 #4 cancel vs completion: one outcome, cancelled exactly when cancel() said it changed the task', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const path = `/race-${server.requests.length}`;
        const release = holdLastPiece(path);
        const { listener, events } = recordingListener();
        const session = await sessions.open({ listener });
        const file = sessions.file(path.slice(1));
        const task = await session.download({ url: server.url(path), destination: { type: 'path', path: file, ifExists: 'fail' } });
        const letGo = await within(release, wait, 'the last piece to be held');
        let cancelled: ControlResult | null = null;
        const racing = [s.schedule(Promise.resolve('release')).then(letGo), s.schedule(Promise.resolve('cancel')).then(async () => (cancelled = await task.cancel()))];
        await s.waitAll();
        await Promise.all(racing);
        const outcome = await within(task.outcome(), wait, 'the outcome');
        await until(() => events.some((event) => event.type === 'taskDidComplete'), wait, 'the terminal event');
        await sessions.closeAll();
        const kinds = events.map((event) => (event.type === 'taskDidComplete' ? `${event.type}:${event.error?.code ?? 'ok'}` : event.type));
        if ((cancelled as ControlResult | null)?.changed === true) {
          expect(outcome.phase).toBe('cancelled');
          expect(kinds).toEqual(['taskDidComplete:Cancelled']);
          expect(await exists(file)).toBe(false);
        } else {
          expect(outcome.phase).toBe('succeeded');
          expect(kinds).toEqual(['downloadDidFinish', 'taskDidComplete:ok']);
          expect(sha256Hex(await readFile(file))).toBe(sha256Hex(content));
        }
        // Nothing is delivered again after a relaunch.
        const again = recordingListener();
        const reopened = await sessions.open({ listener: again.listener });
        expect(reopened.tasks()).toEqual([]);
        await sessions.closeAll();
        expect(again.events).toEqual([]);
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 60_000);

  it('#2 cancel vs the response head: the task ends cancelled, once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const path = `/head-${server.requests.length}`;
        const waiting = new Promise<() => void>((held) => {
          server.route(path, async (request, respond) => {
            await new Promise<void>((release) => held(release));
            return serveContent(request, respond, { body: content, etag: '"v1"' });
          });
        });
        const { listener, events } = recordingListener();
        const session = await sessions.open({ listener });
        const task = await session.download({ url: server.url(path), destination: { type: 'path', path: sessions.file(path.slice(1)), ifExists: 'fail' } });
        const letGo = await within(waiting, wait, 'the request to be held');
        let cancelled: ControlResult | null = null;
        const racing = [s.schedule(Promise.resolve('head')).then(letGo), s.schedule(Promise.resolve('cancel')).then(async () => (cancelled = await task.cancel()))];
        await s.waitAll();
        await Promise.all(racing);
        expect(cancelled).toMatchObject({ changed: true });
        const outcome = await within(task.outcome(), 5_000, 'the outcome').catch(() => ({ phase: `still ${task.info().phase} after 5 s` }));
        expect(outcome.phase).toBe('cancelled');
        await until(() => events.length > 0, wait, 'the terminal event');
        await sessions.closeAll();
        expect(events.map((event) => (event.type === 'taskDidComplete' ? event.error?.code : event.type))).toEqual(['Cancelled']);
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 60_000);

  it('#6 #7 suspend vs the last chunk: one outcome, the file right, no kept byte fetched again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const path = `/suspend-${server.requests.length}`;
        const release = holdLastPiece(path);
        const { listener, events } = recordingListener();
        const session = await sessions.open({ listener });
        const file = sessions.file(path.slice(1));
        const task: Task = await session.download({ url: server.url(path), destination: { type: 'path', path: file, ifExists: 'fail' } });
        const letGo = await within(release, wait, 'the last piece to be held');
        let suspended: ControlResult | null = null;
        const racing = [s.schedule(Promise.resolve('release')).then(letGo), s.schedule(Promise.resolve('suspend')).then(async () => (suspended = await task.suspend()))];
        await s.waitAll();
        await Promise.all(racing);
        let kept: number | null = null;
        if ((suspended as ControlResult | null)?.changed === true) {
          expect(task.info().state).toBe('suspended');
          kept = await sessions.keptBytes();
          await task.resume();
        }
        const outcome = await within(task.outcome(), wait, 'the outcome');
        await until(() => events.length === 2, wait, 'the events');
        await sessions.closeAll();
        expect(outcome.phase).toBe('succeeded');
        expect(events.map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
        expect(sha256Hex(await readFile(file))).toBe(sha256Hex(content));
        const requests = server.requestsTo(path);
        if (kept === null) expect(requests).toHaveLength(1);
        else if (kept > 0) {
          // The resume asks for what follows the bytes kept on disk (more, if the suspended attempt
          // was still writing when they were counted): no kept byte is fetched again.
          expect(requests).toHaveLength(2);
          expect(Number(/^bytes=(\d+)-$/.exec(requests[1]?.headers['range'] ?? '')?.[1])).toBeGreaterThanOrEqual(kept);
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 60_000);

  it('#1 #2 two relaunches at once: one gets SessionInUse, the other finishes the task once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const path = `/relaunch-${server.requests.length}`;
        server.route(path, (request, respond) => serveContent(request, respond, { body: content, etag: '"v1"' }));
        const first = await sessions.open();
        const file = sessions.file(path.slice(1));
        const task = await first.download({ url: server.url(path), resume: false, destination: { type: 'path', path: file, ifExists: 'fail' } });
        await sessions.closeAll();

        const a = recordingListener();
        const b = recordingListener();
        const opens = [s.schedule(Promise.resolve('a')).then(() => sessions.open({ listener: a.listener })), s.schedule(Promise.resolve('b')).then(() => sessions.open({ listener: b.listener }))];
        await s.waitAll();
        const settled = await Promise.allSettled(opens);
        const winners = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        const losers = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
        expect(winners).toHaveLength(1);
        expect(losers).toMatchObject([{ code: 'SessionInUse' }]);
        const winner = winners[0]!;
        const handle = winner.task(task.taskIdentifier);
        await handle?.resume();
        expect((await within(handle!.outcome(), wait, 'the outcome')).phase).toBe('succeeded');
        await until(() => a.events.length + b.events.length === 2, wait, 'the events');
        await sessions.closeAll();
        expect([...a.events, ...b.events].map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
        expect(sha256Hex(await readFile(file))).toBe(sha256Hex(content));
        expect(server.requestsTo(path)).toHaveLength(1);
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 60_000);
});
