import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import type { SimContent } from '../servers/sim-content.js';
import { createWorld } from './create-world.js';
import type { ScheduledFault, World } from './world-types.js';

const MiB = 1024 * 1024;

/** A world with one server holding `count` files, their downloads enqueued in a session `app`. */
async function downloadingWorld(seed: number, count: number, faults: readonly ScheduledFault[]) {
  const world = createWorld({ seed });
  const server = world.server('https://files.example');
  world.network.configureHost('files.example', { latency: 40, bandwidth: 2 * MiB });
  const contents: SimContent[] = [];
  for (let index = 0; index < count; index += 1) {
    const content = generatedContent({ seed: seed * 100 + index, length: (index + 1) * 3 * MiB + index * 777 });
    contents.push(content);
    server.file(`/file-${index}.bin`, { content });
  }
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const session = await world.openSession({ identifier: 'app', configuration: { retry: { base: 1000, cap: 10_000 } } });
  for (let index = 0; index < count; index += 1) {
    await session.download({ url: `https://files.example/file-${index}.bin`, destination: { type: 'path', path: `/downloads/file-${index}.bin`, ifExists: 'replace' } });
  }
  world.schedule(faults);
  return { world, server, contents };
}

function sameBytes(world: World, path: string, content: SimContent): boolean {
  const actual = world.disk.readFile(path);
  if (actual === null || actual.length !== content.length) return false;
  const expected = content.read(0, content.length);
  return actual.every((byte, index) => byte === expected[index]);
}

describe('createWorld', () => {
  it('carries downloads through kills and power losses: every file is the server content, and #1-#5 hold', async () => {
    const { world, contents } = await downloadingWorld(3, 3, [
      { type: 'kill', at: 1_500 },
      { type: 'powerLoss', at: 5_000 },
      { type: 'kill', point: 'handler-returned', pass: 1 },
      { type: 'partition', from: 6_000, until: 9_000 },
    ]);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    // #7 is left out here: the core distrusts bytes written after a power loss until its next
    // checkpoint (invariants/known-core-failures.test.ts keeps that failure visible).
    const violations = world.violations({ settled: true }).filter((violation) => violation.invariant !== 7);
    expect(violations, world.trace.format(80)).toEqual([]);
    contents.forEach((content, index) => expect(sameBytes(world, `/downloads/file-${index}.bin`, content), `file ${index}`).toBe(true));
    // A fault that falls while no process runs (between a crash and its relaunch) does nothing.
    const crashes = world.trace.ofKind('kill').length + world.trace.ofKind('powerLoss').length;
    expect(crashes).toBeGreaterThanOrEqual(2);
    expect(world.trace.ofKind('powerLoss').length).toBeGreaterThanOrEqual(1);
    expect(world.generation).toBe(1 + crashes);
    expect(world.session('app')?.tasks()).toEqual([]);
  });

  it('redelivers an event whose handler returned just before a kill, with the same eventId, and acknowledges it once', async () => {
    const { world } = await downloadingWorld(5, 1, [{ type: 'kill', point: 'handler-returned', pass: 1 }]);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    const deliveries = world.trace.ofKind('delivered').filter((entry) => entry.type === 'downloadDidFinish');
    expect(deliveries).toHaveLength(2);
    expect(deliveries[1]?.eventId).toBe(deliveries[0]?.eventId);
    expect(deliveries.map((entry) => entry.generation)).toEqual([1, 2]);
    const acknowledged = world.trace.ofKind('commit').flatMap((entry) => entry.acknowledged);
    expect(acknowledged).toHaveLength(2);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it('gives the same trace for the same seed, line for line, and another for another seed', async () => {
    const run = async (seed: number) => {
      const { world } = await downloadingWorld(seed, 2, [{ type: 'kill', at: 2_345 }, { type: 'powerLoss', point: 'journal-append', pass: 7 }]);
      await world.runUntilIdle({ limit: 60 * 60 * 1000 });
      return world.trace.format();
    };
    const first = await run(11);
    expect(await run(11)).toBe(first);
    expect(await run(12)).not.toBe(first);
  });

  it('runs nothing of a suspended process while time passes, and catches up at the resume', async () => {
    const { world } = await downloadingWorld(8, 1, [{ type: 'suspend', from: 500, until: 60_500 }]);
    await world.advance(30_000);
    const progressDuringSuspension = world.trace.ofKind('progress').filter((entry) => entry.at > world.clock.now() - 29_000);
    expect(progressDuringSuspension).toEqual([]);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    expect(world.violations({ settled: true })).toEqual([]);
  });
});
