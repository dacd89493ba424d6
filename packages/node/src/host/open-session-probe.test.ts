import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '@bgsession/core';
import { openSession } from './open-session.js';
import { generatedContent, startRangeServer, until, within, type RangeServer } from './range-server.test-helpers.js';

describe('openSession({ probe })', () => {
  let server: RangeServer;
  let directory: string;

  beforeAll(async () => {
    server = await startRangeServer(generatedContent(512 * 1024));
    directory = await mkdtemp(join(tmpdir(), 'bgsession-probe-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('passes the crash points of a download in the order a crash test relies on', async () => {
    const passes: CrashPoint[] = [];
    const session = await openSession({
      identifier: 'com.example.probe',
      directory: join(directory, 'session'),
      connectivity: { online: true },
      listener: { downloadDidFinish: () => undefined, taskDidComplete: () => undefined },
      probe: { pass: (point) => passes.push(point) },
    });
    try {
      const task = await session.download({ url: server.url, destination: { type: 'path', path: join(directory, 'file.bin'), ifExists: 'fail' } });
      await within(task.outcome(), 5000, 'the download to end');
      await until(() => session.tasks().length === 0, 5000, 'the acknowledgements');
    } finally {
      await session.close();
    }
    const first = (point: CrashPoint) => passes.indexOf(point);
    expect(passes.filter((point) => point === 'data-write').length).toBeGreaterThan(0);
    expect(first('journal-append')).toBeGreaterThanOrEqual(0);
    expect(first('data-write')).toBeLessThan(first('completion-rename'));
    expect(first('completion-rename')).toBeLessThan(first('event-delivery'));
    expect(first('event-delivery')).toBeLessThan(first('handler-returned'));
    // Two durable events (downloadDidFinish, taskDidComplete), each delivered and acknowledged once.
    expect(passes.filter((point) => point === 'event-delivery')).toHaveLength(2);
    expect(passes.filter((point) => point === 'handler-returned')).toHaveLength(2);
  });
});
