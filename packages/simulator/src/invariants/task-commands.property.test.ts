import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createContentPattern } from '../servers/content-pattern.js';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { World } from '../world/world-types.js';
import { invariantTitle, type InvariantNumber } from './invariant-sentences.js';

// Model-based (faults.md D22): create / kill / power loss / relaunch / advance, in any order; the
// model is what the app knows (is a process running, how many creations resolved).

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 8);
const KiB = 1024;
const pattern = createContentPattern();
const origin = 'https://files.example';

interface Model {
  running: boolean;
  creations: number;
}

interface Real {
  readonly world: World;
  readonly checked: readonly InvariantNumber[];
}

function expectHolds(real: Real, settled: boolean): void {
  if (!real.world.running) return;
  const violations = real.world.violations({ settled }).filter((violation) => real.checked.includes(violation.invariant));
  expect(violations, `seed ${real.world.seed}\n${real.world.trace.format(60)}`).toEqual([]);
}

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(readonly file: number) {}
  check = (model: Readonly<Model>) => model.running;
  async run(model: Model, real: Real): Promise<void> {
    const session = real.world.session('app');
    if (session === undefined) throw new Error('no session in a running world');
    model.creations += 1;
    await session.download({ url: `${origin}/file-${this.file}.bin`, destination: { type: 'path', path: `/downloads/c-${model.creations}.bin`, ifExists: 'replace' } });
    expectHolds(real, false);
  }
  toString = () => `create(file-${this.file})`;
}

class Crash implements fc.AsyncCommand<Model, Real> {
  constructor(readonly type: 'kill' | 'powerLoss') {}
  check = (model: Readonly<Model>) => model.running;
  async run(model: Model, real: Real): Promise<void> {
    if (this.type === 'kill') real.world.kill();
    else real.world.powerLoss();
    model.running = false;
    return Promise.resolve();
  }
  toString = () => this.type;
}

class Relaunch implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => !model.running;
  async run(model: Model, real: Real): Promise<void> {
    await real.world.relaunch();
    model.running = true;
    expectHolds(real, false);
  }
  toString = () => 'relaunch';
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: Model, real: Real): Promise<void> {
    await real.world.advance(this.ms);
    expectHolds(real, false);
  }
  toString = () => `advance(${this.ms})`;
}

const commands = fc.commands(
  [
    fc.integer({ min: 0, max: 2 }).map((file) => new Create(file)),
    fc.constantFrom('kill' as const, 'powerLoss' as const).map((type) => new Crash(type)),
    fc.constant(new Relaunch()),
    fc.integer({ min: 50, max: 4_000 }).map((ms) => new Advance(ms)),
    fc.integer({ min: 0, max: 2 }).map((file) => new Create(file)),
    fc.integer({ min: 1_000, max: 10_000 }).map((ms) => new Advance(ms)),
  ],
  { maxCommands: 24, size: 'large' },
);

function commandsProperty(checked: readonly InvariantNumber[], planted?: PlantedWorldBugs) {
  return fc.asyncProperty(fc.integer({ min: 1, max: 0x7fffffff }), commands, async (seed, sequence) => {
    const world = createWorld({ seed, ...(planted === undefined ? {} : { planted }) });
    const server = world.server(origin);
    world.network.configureHost('files.example', { latency: 40, bandwidth: 2 * 1024 * KiB });
    for (let file = 0; file < 3; file += 1) server.file(`/file-${file}.bin`, { content: generatedContent({ seed: seed + file, length: (file + 1) * 512 * KiB + file, pattern }) });
    await world.disk.fs.mkdir('/downloads');
    await world.disk.fs.fsyncDir('/');
    await world.openSession({ identifier: 'app', configuration: { retry: { base: 1000, cap: 10_000 }, checkpointBytes: 256 * KiB } });
    const real: Real = { world, checked };
    await fc.asyncModelRun(() => ({ model: { running: true, creations: 0 }, real }), sequence);
    if (!world.running) await world.relaunch();
    await world.runUntilIdle({ limit: 6 * 60 * 60 * 1000 });
    expectHolds(real, true);
  });
}

describe('tasks and events under any sequence of creations, kills, power losses, relaunches and waits', () => {
  it(`${invariantTitle(1)}, ${invariantTitle(2)}, ${invariantTitle(5)}: after every step, and once settled every task ended and was acknowledged once`, async () => {
    await fc.assert(commandsProperty([1, 2, 3, 4, 5]), { numRuns: runs });
  });

  it(`${invariantTitle(5)}: catches a Store that forgets the highest identifier it issued`, async () => {
    const result = await fc.check(commandsProperty([5], { storeForgetsHighestIdentifier: true }), { numRuns: 60, endOnFailure: true });
    expect(result.failed, 'the reused identifier went unnoticed').toBe(true);
  });

  it(`${invariantTitle(1)}: catches a Store that drops task records, under commands`, async () => {
    const result = await fc.check(commandsProperty([1], { storeDropsTaskPuts: true }), { numRuns: 60, endOnFailure: true });
    expect(result.failed, 'the lost task went unnoticed').toBe(true);
  });
});
