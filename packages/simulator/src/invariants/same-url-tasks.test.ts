import { describe, expect, it } from 'vitest';
import { faultsByAttempt } from '../servers/faults-by-attempt.js';
import { generatedContent } from '../servers/generated-content.js';
import type { SimFileOptions } from '../servers/sim-file-options.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { createWorld } from '../world/create-world.js';

// Two tasks of one URL, at different offsets when the process is killed: the checkers must judge
// each task by its own requests (the transport is told which task an attempt carries), not by the
// URL the two share, or one task's resume is judged against the other's.
const origin = 'https://files.example';
const url = `${origin}/same.bin`;
const length = 64 * 1024;
const content = generatedContent({ seed: 5, length });

/** A world serving `/same.bin` as `file` says, whose app downloads it twice, `gap` ms apart. */
async function twoDownloads(seed: number, file: Omit<SimFileOptions, 'content'>, gap: number, planted?: PlantedWorldBugs) {
  const world = createWorld({ seed, start: 1_704_067_200_000, ...(planted === undefined ? {} : { planted }) });
  world.server(origin).file('/same.bin', { content, ...file });
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const session = await world.openSession({ identifier: 'app' });
  const first = await session.download({ url, destination: { type: 'path', path: '/downloads/first.bin', ifExists: 'fail' } });
  await world.advance(gap);
  const second = await session.download({ url, destination: { type: 'path', path: '/downloads/second.bin', ifExists: 'fail' } });
  return { world, first, second };
}

async function twoTasksOfOneUrl(planted?: PlantedWorldBugs) {
  // 8 KiB/s: both tasks are mid-body at the kill, the first about 1.5 s further than the second.
  const { world, first, second } = await twoDownloads(11, { bytesPerSecond: 8 * 1024 }, 1_500, planted);
  world.schedule([{ type: 'kill', at: 3_000 }]);
  await world.runUntilIdle({ limit: 60 * 60 * 1000 });
  const kept = world.log.crashes[0]?.parts.get('app');
  const rangeAfterKill = (taskIdentifier: number) =>
    world.log.attempts.find((attempt) => attempt.taskIdentifier === taskIdentifier && attempt.generation === 2)?.headers['range'] ?? null;
  return { world, first: first.taskIdentifier, second: second.taskIdentifier, kept, rangeAfterKill };
}

describe('invariant checkers with two tasks of one URL', () => {
  it('#6 #7 hold: each task resumes from its own kept length and delivers the whole file, and no checker reports the other task against it', async () => {
    const run = await twoTasksOfOneUrl();
    const keptFirst = run.kept?.get(run.first) ?? 0;
    const keptSecond = run.kept?.get(run.second) ?? 0;
    expect(keptSecond).toBeGreaterThan(0);
    expect(keptFirst).toBeGreaterThan(keptSecond);
    expect(run.rangeAfterKill(run.first)).toBe(`bytes=${keptFirst}-`);
    expect(run.rangeAfterKill(run.second)).toBe(`bytes=${keptSecond}-`);
    expect(run.world.disk.readFile('/downloads/first.bin')).toEqual(content.read(0, length));
    expect(run.world.disk.readFile('/downloads/second.bin')).toEqual(content.read(0, length));
    expect(run.world.violations({ settled: true })).toEqual([]);
  });

  it('#7 catches a ByteStore that reports lengths rounded down, once for each of the two tasks', async () => {
    const run = await twoTasksOfOneUrl({ byteStoreRoundsLengthDown: true });
    const reported = run.world
      .violations({ settled: true })
      .filter((violation) => violation.invariant === 7)
      .map((violation) => violation.message.split(' ')[1]);
    expect(reported.sort()).toEqual([String(run.first), String(run.second)].sort());
  });

  it("#6 holds: each task's file is judged by its own response's version, though the URL's content changed between the two tasks' requests", async () => {
    // The second request (the second task's) meets a new version; the first task's body, already
    // under way, stays the first version. Both files are right, each for its own ETag.
    const { world, first, second } = await twoDownloads(13, { bytesPerSecond: 16 * 1024, script: faultsByAttempt({ 2: [{ type: 'newVersion' }] }) }, 500);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    const etagOf = (taskIdentifier: number) => world.log.attempts.find((attempt) => attempt.taskIdentifier === taskIdentifier)?.response?.headers['etag'];
    expect(etagOf(first.taskIdentifier)).not.toBe(etagOf(second.taskIdentifier));
    expect(world.disk.readFile('/downloads/first.bin')).toEqual(content.read(0, length));
    expect(world.disk.readFile('/downloads/second.bin')).not.toEqual(content.read(0, length));
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it("#10 holds: a 503 with Retry-After holds back the task it answered, and the other task of the URL goes on at once", async () => {
    const { world, first, second } = await twoDownloads(12, { script: faultsByAttempt({ 1: { type: 'status', status: 503, retryAfter: '30' } }) }, 1_000);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    const startsOf = (taskIdentifier: number) => world.log.attempts.filter((attempt) => attempt.taskIdentifier === taskIdentifier).map((attempt) => attempt.at - world.log.attempts[0]!.at);
    const [refused, retried] = startsOf(first.taskIdentifier);
    expect(retried! - refused!).toBeGreaterThanOrEqual(30_000);
    // The second task's only request went out while the first one waited out its Retry-After.
    expect(startsOf(second.taskIdentifier)).toHaveLength(1);
    expect(startsOf(second.taskIdentifier)[0]).toBeLessThan(30_000);
    expect(world.violations({ settled: true })).toEqual([]);
  });
});
