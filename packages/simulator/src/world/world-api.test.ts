import { BgSessionError } from '@bgsession/core';
import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from './create-world.js';

const MiB = 1024 * 1024;

describe('the world API', () => {
  it('rejects a relaunch whose new process dies while reopening its sessions, and relaunches again after it', async () => {
    const world = createWorld({ seed: 1 });
    await world.openSession({ identifier: 'app' });
    // Nothing runs in the session: the next journal append is the reopen's own commit.
    world.schedule([{ type: 'kill', point: 'journal-append', pass: 1, relaunchAfter: null }]);
    const relaunch = world.relaunch();
    await expect(relaunch).rejects.toBeInstanceOf(BgSessionError);
    await expect(relaunch).rejects.toMatchObject({ code: 'StoreFailed' });
    expect(world.running).toBe(false);
    const sessions = await world.relaunch();
    expect(sessions.map((session) => session.identifier)).toEqual(['app']);
    expect(world.running).toBe(true);
  });

  it('returns from schedule the crash-point counts its passes count from', async () => {
    const world = createWorld({ seed: 2 });
    await world.openSession({ identifier: 'app' });
    const before = world.crashPointCounts['journal-append'];
    expect(before).toBeGreaterThan(0);
    const base = world.schedule([{ type: 'kill', point: 'journal-append', pass: 2, relaunchAfter: null }]);
    expect(base['journal-append']).toBe(before);
    const session = world.session('app');
    // The second creation's commit is the second pass: the process dies there, and its promise never settles.
    await session?.download({ url: 'https://files.example/a.bin', resume: false });
    void session?.download({ url: 'https://files.example/b.bin', resume: false });
    await world.runUntilIdle({ limit: 1000 });
    expect(world.running).toBe(false);
    expect(world.crashPointCounts['journal-append']).toBe(base['journal-append'] + 2);
    expect(world.trace.ofKind('kill').map((entry) => entry.point)).toEqual(['journal-append']);
  });

  it('passes the compaction options to the journal Store: a tiny threshold compacts, through the compaction-rename point', async () => {
    const run = async (compaction: { readonly minimumBytes: number; readonly growthFactor: number } | undefined) => {
      const world = createWorld({ seed: 3 });
      world.server('https://files.example').file('/a.bin', { content: generatedContent({ seed: 3, length: 2 * MiB }) });
      const session = await world.openSession({ identifier: 'app', configuration: { checkpointBytes: 64 * 1024 }, ...(compaction === undefined ? {} : { compaction }) });
      await session.download({ url: 'https://files.example/a.bin' });
      await world.runUntilIdle({ limit: 60 * 60 * 1000 });
      return world.crashPointCounts['compaction-rename'];
    };
    expect(await run(undefined)).toBe(0);
    expect(await run({ minimumBytes: 1024, growthFactor: 2 })).toBeGreaterThan(0);
  });

  it('lets the app open a session again in the same process once it closed it, with its tasks', async () => {
    const world = createWorld({ seed: 4 });
    const first = await world.openSession({ identifier: 'app' });
    const task = await first.download({ url: 'https://files.example/a.bin', resume: false });
    await expect(world.openSession({ identifier: 'app' })).rejects.toMatchObject({ code: 'SessionInUse' });
    await first.close();
    expect(world.session('app')).toBeUndefined();
    const second = await world.openSession({ identifier: 'app' });
    expect(world.session('app')).toBe(second);
    expect(second.tasks().map((reopened) => reopened.taskIdentifier)).toEqual([task.taskIdentifier]);
  });

  it('a refused open keeps the options the session was opened with: a relaunch reopens it as the app last opened it', async () => {
    const world = createWorld({ seed: 5 });
    const first = await world.openSession({ identifier: 'app', configuration: { checkpointBytes: 64 * 1024 } });
    await first.close();
    await expect(world.openSession({ identifier: 'app', configuration: { checkpointBytes: -1 } })).rejects.toMatchObject({ code: 'InvalidConfiguration' });
    world.kill();
    const [reopened] = await world.relaunch();
    expect(reopened?.identifier).toBe('app');
    expect(world.trace.ofKind('note').map((entry) => entry.text)).toEqual([]);
  });

  it('a kill during the first open of a session still relaunches it: the app would open it again at launch', async () => {
    const world = createWorld({ seed: 6 });
    world.schedule([{ type: 'kill', point: 'journal-append', pass: 1, relaunchAfter: 10 }]);
    await expect(world.openSession({ identifier: 'app' })).rejects.toMatchObject({ code: 'StoreFailed' });
    await world.runUntilIdle({ limit: 1000 });
    expect(world.running).toBe(true);
    expect(world.session('app')?.identifier).toBe('app');
  });
});
