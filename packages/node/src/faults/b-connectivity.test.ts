import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Task } from '@bgsession/core';
import { generatedContent, sha256Hex, until, within } from '../host/range-server.test-helpers.js';
import { FaultSessions, recordingListener, serveContent, startFaultServer, type FaultServer } from './fault-server.test-helpers.js';

// Fault B16 against the real Node adapter: the network flaps while downloads run. Going offline
// stops attempts without spending any; nothing starts while offline; no task is lost.
// 400 by default; BGSESSION_PROPERTY_RUNS=250 gives the catalogue's 1,000.
const flaps = Math.max(100, 4 * Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100));
const files = 6;
const size = 128 * 1024;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldOnce = () => new Promise<void>((resolve) => setImmediate(resolve));

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

const inFlight = (task: Task) => ['connecting', 'transferring', 'canceling'].includes(task.info().phase);

describe('B16 connectivity flapping', () => {
  it(`#10 #15 ${flaps} flaps: no attempt while offline, none spent, none lost`, async () => {
    const contents = Array.from({ length: files }, (_, index) => generatedContent(size).map((byte) => byte ^ index));
    for (const [index, body] of contents.entries()) {
      // A slow server, so that attempts are in flight when the network goes.
      server.route(`/f${index}`, (request, respond) => serveContent(request, respond, { body, etag: `"f${index}"` }, { drip: { bytes: 8 * 1024, everyMs: 4 } }));
    }
    const { listener, events } = recordingListener();
    // One attempt allowed: an attempt spent by going offline would end its task as failed.
    const session = await sessions.open({ listener, configuration: { retry: { base: 10, cap: 50, maxAttempts: 1 } } });
    const tasks: Task[] = [];
    for (let index = 0; index < files; index += 1) {
      tasks.push(await session.download({ url: server.url(`/f${index}`), destination: { type: 'path', path: sessions.file(`f${index}`), ifExists: 'fail' } }));
    }
    // Requests the server read during a settled offline period, per check. A request the test sends
    // itself first makes the server read whatever an aborted attempt had already sent before the
    // network went (on a loaded machine it can lie in the socket unread for tens of milliseconds).
    server.route('/settle', (_request, respond) => respond.respond({ status: 204, body: '' }));
    const attemptRequests = () => server.requests.filter((request) => request.path !== '/settle').length;
    const settleServer = async (): Promise<void> => void (await (await fetch(server.url('/settle'))).arrayBuffer());
    const seenWhileOffline: number[] = [];
    // The first flap cuts attempts that already wrote bytes (later ones may find the downloads
    // done or between attempts, depending on the machine's speed), so resuming is shown every run.
    const partLength = (task: Task): number => {
      try {
        return statSync(join(session.directory, 'bytes', 'parts', `part-${task.taskIdentifier}`)).size;
      } catch {
        return 0;
      }
    };
    await until(() => tasks.some((task) => inFlight(task) && partLength(task) > 0), 5_000, 'the first bytes');
    for (let flap = 1; flap <= flaps; flap += 1) {
      session.connectivity.setOnline(false);
      if (flap % 50 === 0) {
        // A settled offline period: once no attempt runs, none may start while the network is down.
        await until(() => !tasks.some(inFlight), 5_000, 'the attempts to stop');
        await settleServer();
        const seen = attemptRequests();
        await sleep(30);
        seenWhileOffline.push(attemptRequests() - seen);
      } else if (flap % 3 === 0) await sleep(1);
      else await yieldOnce();
      session.connectivity.setOnline(true);
      if (flap % 2 === 0) await sleep(1);
      else await yieldOnce();
    }
    const outcomes = await within(Promise.all(tasks.map((task) => task.outcome())), 20_000, 'every download after the flapping');
    expect(outcomes.map((outcome) => [outcome.phase, outcome.error?.code ?? null])).toEqual(tasks.map(() => ['succeeded', null]));
    for (const [index, body] of contents.entries()) expect(sha256Hex(await readFile(sessions.file(`f${index}`)))).toBe(sha256Hex(body));
    await until(() => events.length === 2 * files, 10_000, 'every event');
    for (const task of tasks) {
      const mine = events.filter((event) => event.type !== 'sessionDidBecomeInvalid' && event.task.taskIdentifier === task.taskIdentifier);
      expect(mine.map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    }
    // The flapping interrupted attempts, which resumed from the bytes they kept.
    expect(server.requests.some((request) => request.headers['range'] !== undefined)).toBe(true);
    expect(seenWhileOffline.length).toBeGreaterThan(0);
    expect(seenWhileOffline.filter((count) => count > 0)).toEqual([]);
  });

  it('#15 going offline while an attempt is being granted: no request goes out until the network is back', async () => {
    const body = generatedContent(size);
    server.route('/warm', (request, respond) => respond.respond({ status: 200, body: 'warm' }));
    server.route('/late', (request, respond) => serveContent(request, respond, { body, etag: '"late"' }));
    const session = await sessions.open();
    // A kept-alive connection is idle, so a request the session starts is written at once.
    const warm = await session.data({ url: server.url('/warm') });
    await within(warm.outcome(), 10_000, 'the first request');
    const task = await session.download({ url: server.url('/late'), destination: { type: 'path', path: sessions.file('late'), ifExists: 'fail' } });
    session.connectivity.setOnline(false);
    await until(() => task.info().reason === 'connectivity', 5_000, 'the task to wait for connectivity');
    await sleep(50);
    const whileOffline = server.requestsTo('/late').length;
    session.connectivity.setOnline(true);
    expect((await within(task.outcome(), 10_000, 'the download')).phase).toBe('succeeded');
    expect(sha256Hex(await readFile(sessions.file('late')))).toBe(sha256Hex(body));
    expect(whileOffline).toBe(0);
  });
});
