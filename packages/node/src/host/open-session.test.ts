import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DurableEvent, SessionListener } from '@bgsession/core';
import { openSession, type NodeSession, type OpenSessionOptions } from './open-session.js';
import { generatedContent, startRangeServer, until, within, type RangeServer } from './range-server.test-helpers.js';

const MiB = 1024 * 1024;
const wait = 5000;

/** A listener that records every durable event it acknowledges. */
function recordingListener(): { listener: SessionListener; events: DurableEvent[] } {
  const events: DurableEvent[] = [];
  return {
    events,
    listener: {
      downloadDidFinish: (event) => void events.push(event),
      taskDidComplete: (event) => void events.push(event),
    },
  };
}

describe('openSession', () => {
  let server: RangeServer;
  let directory: string;
  const opened: NodeSession[] = [];

  beforeAll(async () => {
    server = await startRangeServer(generatedContent(2 * MiB));
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bgsession-open-'));
    server.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((session) => session.close()));
    await rm(directory, { recursive: true, force: true });
  });

  async function open(options: Partial<OpenSessionOptions> = {}): Promise<NodeSession> {
    const session = await openSession({
      identifier: 'com.example.test',
      directory: join(directory, 'session'),
      // Loopback downloads need no network: a sandbox without one must not make them wait.
      connectivity: { online: true },
      configuration: { retry: { base: 10, cap: 50 } },
      ...options,
    });
    opened.push(session);
    return session;
  }

  it("a reopened session with stored tasks can be used and closed under an app's fake timers (vi.useFakeTimers): its own turns do not wait for them", async () => {
    const first = await open({ connectivity: { online: false } });
    for (let i = 0; i < 3; i += 1) await first.download({ url: `${server.url}?stored-${i}`, destination: { type: 'path', path: join(directory, `stored-${i}.bin`) } });
    await first.close();
    vi.useFakeTimers();
    try {
      const session = await open({ connectivity: { online: false }, listener: recordingListener().listener });
      // Each of these waits for the stored tasks to join, which the host's turns carry.
      const task = await session.download({ url: `${server.url}?new`, destination: { type: 'path', path: join(directory, 'new.bin') } });
      expect((await session.allTasks()).map((each) => each.taskIdentifier)).toContain(task.taskIdentifier);
      await session.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('downloads to a path, delivers each event once, and redelivers nothing after a reopen', async () => {
    const first = recordingListener();
    const session = await open({ listener: first.listener });
    const path = join(directory, 'file.bin');
    const task = await session.download({ url: server.url, destination: { type: 'path', path, ifExists: 'fail' } });
    const outcome = await within(task.outcome(), wait, 'the download to end');
    expect(outcome.phase).toBe('succeeded');
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(server.sha256);
    // Acknowledged and forgotten: the acknowledgements are committed.
    await until(() => session.tasks().length === 0, wait, 'the acknowledgements');
    expect(first.events.map((event) => event.type)).toEqual(['downloadDidFinish', 'taskDidComplete']);
    expect(first.events[0]).toMatchObject({ type: 'downloadDidFinish', location: path });
    await session.close();

    const second = recordingListener();
    const reopened = await open({ listener: second.listener });
    const next = await reopened.download({ url: server.url, destination: { type: 'path', path: join(directory, 'again.bin'), ifExists: 'fail' } });
    expect(next.taskIdentifier).toBeGreaterThan(task.taskIdentifier);
    await within(next.outcome(), wait, 'the second download to end');
    await until(() => reopened.tasks().length === 0, wait, 'the second acknowledgements');
    expect(second.events.map((event) => [event.type, event.type === 'sessionDidBecomeInvalid' ? null : event.task.taskIdentifier])).toEqual([
      ['downloadDidFinish', next.taskIdentifier],
      ['taskDidComplete', next.taskIdentifier],
    ]);
  });

  it('delivers events owed from before a relaunch only after openSession resolved, so a handler can use the session it returned', async () => {
    const first = await open();
    const events = first.events();
    const task = await first.download({ url: server.url, destination: { type: 'path', path: join(directory, 'owed.bin') } });
    await within(task.outcome(), wait, 'the download to end');
    // Consumed but never acknowledged: both durable events are owed to the next open.
    let next = await events.next();
    for (let i = 0; i < 1000 && next.value?.type !== 'downloadDidFinish'; i += 1) next = await events.next();
    expect(next.value?.type).toBe('downloadDidFinish');
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    const seen: string[] = [];
    // A class instance, so `this` must reach the handler too.
    class App {
      readonly seen = seen;
      calls = 0;
      taskDidComplete(event: Extract<DurableEvent, { type: 'taskDidComplete' }>): void {
        this.calls += 1;
        // Throws a ReferenceError if called before `session` below is assigned (then the event
        // would come back a second later, and `calls` would say so).
        this.seen.push(`${event.type} of ${event.task.taskIdentifier} with ${session.tasks().length} task(s) known`);
      }
    }
    const app = new App();
    const session: NodeSession = await open({ listener: app });
    await until(() => seen.length === 1 && session.tasks().length === 0, wait, 'the owed events');
    expect(seen).toEqual([`taskDidComplete of ${task.taskIdentifier} with 1 task(s) known`]);
    expect(app.calls).toBe(1);
  });

  it('a handler that throws is never retried in silence: a process warning names the handler and the error, unless the app handles eventDeliveryFailed', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      let calls = 0;
      const delivered: string[] = [];
      const session = await open({
        listener: {
          taskDidComplete: (event) => {
            calls += 1;
            if (calls === 1) throw new Error('the database is down');
            delivered.push(event.eventId);
          },
        },
      });
      const task = await session.download({ url: server.url, destination: { type: 'path', path: join(directory, 'warned.bin') } });
      await until(() => delivered.length === 1, wait + 2000, 'the event delivered again');
      const ours = warnings.filter((warning) => (warning as { code?: string }).code === 'BGSESSION_EVENT_DELIVERY_FAILED');
      expect(ours).toHaveLength(1);
      expect(ours[0]!.message).toContain(`the taskDidComplete handler (task ${task.taskIdentifier}, event ${delivered[0]!})`);
      expect(ours[0]!.message).toContain('the database is down');

      // An app that listens for the failure gets it, and no warning.
      warnings.length = 0;
      const told: string[] = [];
      let again = 0;
      const second = await open({
        directory: join(directory, 'second'),
        listener: {
          taskDidComplete: () => {
            again += 1;
            if (again === 1) throw new Error('still down');
          },
          eventDeliveryFailed: (event) => void told.push(`${event.eventType}: ${(event.error as Error).message}`),
        },
      });
      await second.download({ url: server.url, destination: { type: 'path', path: join(directory, 'told.bin') } });
      await until(() => again === 2, wait + 2000, 'the event delivered again');
      expect(told).toEqual(['taskDidComplete: still down']);
      expect(warnings.filter((warning) => (warning as { code?: string }).code === 'BGSESSION_EVENT_DELIVERY_FAILED')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('downloads an empty file to its path and into the store (both were StoreFailed: no part to hand over)', async () => {
    const empty = await startRangeServer(new Uint8Array(0));
    try {
      const { listener, events } = recordingListener();
      const session = await open({ listener });
      const path = join(directory, 'empty.bin');
      const toPath = await session.download({ url: empty.url, destination: { type: 'path', path } });
      const inStore = await session.download({ url: empty.url });
      expect(await within(toPath.outcome(), wait, 'the download to a path')).toMatchObject({ phase: 'succeeded', error: null });
      expect(await within(inStore.outcome(), wait, 'the download into the store')).toMatchObject({ phase: 'succeeded', error: null });
      expect((await stat(path)).size).toBe(0);
      await until(() => events.filter((event) => event.type === 'downloadDidFinish').length === 2, wait, 'both files handed over');
    } finally {
      await empty.close();
    }
  });

  it('an app that opens and closes at once still gets an owed event once, and acknowledges it', async () => {
    const first = await open();
    const task = await first.download({ url: server.url, destination: { type: 'path', path: join(directory, 'owed-once.bin') } });
    await within(task.outcome(), wait, 'the download to end');
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    const calls: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const session = await openSession({
        identifier: 'com.example.test',
        directory: join(directory, 'session'),
        connectivity: { online: true },
        listener: { taskDidComplete: (event) => void calls.push(event.task.taskIdentifier) },
      });
      await session.close();
    }
    expect(calls).toEqual([task.taskIdentifier]);
  });

  it('a download() called right after the open finds the task its taskKey names, even while that task\'s owed events are being delivered', async () => {
    const path = join(directory, 'keyed.bin');
    const first = await open();
    const task = await first.download({ url: server.url, taskKey: 'keyed', destination: { type: 'path', path } });
    await within(task.outcome(), wait, 'the download to end');
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    // The app enqueues what it has not seen complete; the completion is owed, so it asks again.
    const session = await open({ listener: { taskDidComplete: () => undefined } });
    const again = await session.download({ url: server.url, taskKey: 'keyed', destination: { type: 'path', path } });
    expect(again.taskIdentifier).toBe(task.taskIdentifier);
  });

  it('takes a relative destination path against the working directory, as node:fs would, and reports the absolute location', async () => {
    const { listener, events } = recordingListener();
    const session = await open({ listener });
    const path = join(directory, 'relative.bin');
    const task = await session.download({ url: server.url, destination: { type: 'path', path: relative(process.cwd(), path), ifExists: 'fail' } });
    expect((await within(task.outcome(), wait, 'the download to end')).phase).toBe('succeeded');
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(server.sha256);
    await until(() => events.length === 2, wait, 'the events');
    expect(events[0]).toMatchObject({ type: 'downloadDidFinish', location: path });
  });

  it('refuses a second open of a directory in use with SessionInUse, and opens again once it is closed', async () => {
    const session = await open();
    await expect(open()).rejects.toMatchObject({ code: 'SessionInUse' });
    await session.close();
    const again = await open();
    expect(again.identifier).toBe('com.example.test');
  });

  it('resumes a body cut after 1 MiB with Range and If-Range, fetching no byte twice', async () => {
    const { listener, events } = recordingListener();
    const session = await open({ listener });
    const sentBefore = server.bytesSent();
    server.cutNextAfter(1 * MiB);
    const path = join(directory, 'resumed.bin');
    const task = await session.download({ url: server.url, destination: { type: 'path', path, ifExists: 'fail' } });
    const outcome = await within(task.outcome(), wait, 'the resumed download to end');
    expect(outcome.phase).toBe('succeeded');
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(server.sha256);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]).toMatchObject({ range: `bytes=${MiB}-`, 'if-range': expect.stringMatching(/^"[0-9a-f]+"$/) });
    expect(server.bytesSent() - sentBefore).toBe(2 * MiB);
    await until(() => events.length === 2, wait, 'the events');
  });

  it('pauses with resume data and continues to a relative destination of its own: no byte fetched twice, the file whole at its absolute path', async () => {
    const { listener, events } = recordingListener();
    // A long backoff after the cut: the task waits there until the app cancels it.
    const session = await open({ listener, configuration: { retry: { base: 60_000, cap: 60_000 } } });
    const sentBefore = server.bytesSent();
    server.cutNextAfter(1 * MiB);
    const task = await session.download({ url: server.url });
    await until(() => task.info().phase === 'backingOff', wait, 'the cut attempt to back off');
    const resumeData = await task.cancelProducingResumeData();
    expect(resumeData).not.toBeNull();
    const path = join(directory, 'paused.bin');
    const resumed = await session.download({ resumeData: resumeData ?? '', destination: { type: 'path', path: relative(process.cwd(), path) } });
    expect((await within(resumed.outcome(), wait, 'the resumed download to end')).phase).toBe('succeeded');
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(server.sha256);
    expect(server.requests[1]).toMatchObject({ range: `bytes=${MiB}-`, 'if-range': expect.stringMatching(/^"[0-9a-f]+"$/) });
    expect(server.bytesSent() - sentBefore).toBe(2 * MiB);
    await until(() => events.some((event) => event.type === 'downloadDidFinish' && event.task.taskIdentifier === resumed.taskIdentifier), wait, 'the events');
    expect(events.find((event) => event.type === 'downloadDidFinish')).toMatchObject({ location: path });
  });

  it.runIf(process.platform === 'linux')('opens under $XDG_DATA_HOME/bgsession/sessions/<identifier> by default', async () => {
    const saved = process.env['XDG_DATA_HOME'];
    process.env['XDG_DATA_HOME'] = directory;
    try {
      const session = await openSession({ identifier: 'Photos/Backup', connectivity: { online: true } });
      opened.push(session);
      expect(session.directory).toMatch(new RegExp(`^${directory}/bgsession/sessions/photos_backup-[0-9a-f]{8}$`));
      expect((await stat(join(session.directory, 'store', 'journal'))).isFile()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['XDG_DATA_HOME'];
      else process.env['XDG_DATA_HOME'] = saved;
    }
  });

  it('rejects bad options with InvalidConfiguration naming the field, leaving nothing open', async () => {
    await expect(openSession({ identifier: '' })).rejects.toMatchObject({ code: 'InvalidConfiguration', field: 'identifier' });
    await expect(openSession({ identifier: 'a', directory: join(directory, 'x'), listner: {} } as unknown as OpenSessionOptions)).rejects.toMatchObject({
      code: 'InvalidConfiguration',
      field: 'listner',
    });
    await expect(open({ configuration: { identifier: 'other' } as unknown as NonNullable<OpenSessionOptions['configuration']> })).rejects.toMatchObject({
      code: 'InvalidConfiguration',
      field: 'configuration.identifier',
    });
    await expect(open({ configuration: { maxConnectionsPerHost: 0 } })).rejects.toMatchObject({ code: 'InvalidConfiguration', field: 'maxConnectionsPerHost' });
    // A file where the session's directory goes is a wrong option, not a file in a task's way.
    await writeFile(join(directory, 'a-file'), 'x');
    await expect(openSession({ identifier: 'a', directory: join(directory, 'a-file') })).rejects.toMatchObject({ code: 'InvalidConfiguration', field: 'directory' });
    await expect(openSession({ identifier: 'a', directory: join(directory, 'a-file', 'below') })).rejects.toMatchObject({ code: 'InvalidConfiguration', field: 'directory' });
    // The failed opens released the lock.
    await open();
  });

  it('refuses a destination inside the session\'s own directory, where a hand-over could replace its journal', async () => {
    const session = await open();
    const inside = join(directory, 'session');
    for (const destination of [
      { type: 'path', path: join(inside, 'store', 'journal'), ifExists: 'replace' },
      { type: 'path', path: join(inside, 'mine.bin') },
      { type: 'directory', directory: join(inside, 'bytes', 'parts'), ifExists: 'rename' },
    ] as const) {
      await expect(session.download({ url: server.url, destination })).rejects.toMatchObject({ code: 'InvalidArgument', field: 'destination' });
    }
    // Another spelling of the same directory, through a link, is the same directory.
    await symlink(join(directory, 'session'), join(directory, 'alias'));
    await expect(session.download({ url: server.url, destination: { type: 'path', path: join(directory, 'alias', 'store', 'journal'), ifExists: 'replace' } })).rejects.toMatchObject({
      code: 'InvalidArgument',
      field: 'destination',
    });
    expect(server.requests).toHaveLength(0);
    expect(session.tasks()).toHaveLength(0);
    // Beside it is fine.
    const task = await session.download({ url: server.url, destination: { type: 'path', path: join(directory, 'session.bin') } });
    expect((await task.outcome()).phase).toBe('succeeded');
  });
});
