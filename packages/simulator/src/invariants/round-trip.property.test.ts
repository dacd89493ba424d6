import fc from 'fast-check';
import { describe, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { checkRoundTrip } from './check-round-trip.js';
import { featureBugIsCaught, featureProperty, type FeatureRun } from './feature-property.test-helpers.js';
import { invariantTitle } from './invariant-sentences.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 6);
const KiB = 1024;

interface StoredWorld {
  readonly seed: number;
  readonly tasks: readonly {
    readonly kind: 'download' | 'upload' | 'data';
    readonly taskKey: string | null;
    readonly taskDescription: string | null;
    readonly priority: number;
    readonly header: string | null;
    /** Run this long before the task is suspended (0: created suspended). */
    readonly runFor: number;
  }[];
}

const storedWorlds: fc.Arbitrary<StoredWorld> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  tasks: fc.array(
    fc.record({
      kind: fc.constantFrom('download' as const, 'upload' as const, 'data' as const),
      taskKey: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
      taskDescription: fc.option(fc.string({ minLength: 1, maxLength: 24 }), { nil: null }),
      priority: fc.double({ min: 0, max: 1, noNaN: true }),
      header: fc.option(fc.stringMatching(/^[a-z0-9]{1,12}$/), { nil: null }),
      runFor: fc.constantFrom(0, 0, 300, 1_200),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

async function runStored(input: StoredWorld, planted: PlantedWorldBugs): Promise<FeatureRun> {
  const world = createWorld({ seed: input.seed, planted });
  const server = world.server('https://files.example');
  world.network.configureHost('files.example', { latency: 40, bandwidth: 256 * KiB });
  const session = await world.openSession({ identifier: 'app', configuration: { checkpointBytes: 64 * KiB } });
  for (const [index, task] of input.tasks.entries()) {
    server.file(`/file-${index}.bin`, { content: generatedContent({ seed: input.seed + index, length: 1024 * KiB }) });
    const options = {
      url: `https://files.example/file-${index}.bin`,
      priority: task.priority,
      resume: task.runFor > 0,
      ...(task.taskKey === null ? {} : { taskKey: `${index}-${task.taskKey}` }),
      ...(task.taskDescription === null ? {} : { taskDescription: task.taskDescription }),
      ...(task.header === null ? {} : { headers: { 'x-tag': task.header } }),
    };
    const created = task.kind === 'download' ? await session.download(options) : task.kind === 'upload' ? await session.upload({ ...options, method: 'PUT', body: new Uint8Array(4 * KiB) }) : await session.data(options);
    if (task.runFor > 0) {
      await world.advance(task.runFor);
      await created.suspend();
    }
  }
  await world.advance(100);
  const before = session.tasks().map((task) => task.info());
  world.kill();
  const [reopened] = await world.relaunch();
  await world.advance(100);
  return { world, violations: checkRoundTrip(before, reopened?.tasks().map((task) => task.info()) ?? []) };
}

describe('the store round trip over generated sessions', () => {
  it(`${invariantTitle(19)}: every suspended task's public info is the same after a kill and a relaunch`, async () => {
    await fc.assert(featureProperty(19, storedWorlds, runStored), { numRuns: runs });
  });

  it(`${invariantTitle(19)}: catches a Store that drops task descriptions`, async () => {
    const described = storedWorlds.map((input) => ({ ...input, tasks: input.tasks.map((task) => ({ ...task, taskDescription: task.taskDescription ?? 'photo' })) }));
    await featureBugIsCaught(19, described, runStored, { storeDropsDescriptions: true }, 3);
  });
});
