import type { Session, Task } from '@bgsession/core';
import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import type { World } from '../world/world-types.js';

const origin = 'https://files.example';
const length = 256 * 1024;

/** A world with one slow file and one session; the app cancels its download into resume data after 2 s. */
async function cancelledIntoResumeData(planted?: PlantedWorldBugs): Promise<{ world: World; session: Session; first: Task; resumeData: string }> {
  const world = createWorld({ seed: 5, start: 1_704_067_200_000, ...(planted === undefined ? {} : { planted }) });
  world.server(origin).file('/r.bin', { content: generatedContent({ seed: 3, length }), bytesPerSecond: 32 * 1024 });
  await world.disk.fs.mkdir('/downloads');
  await world.disk.fs.fsyncDir('/');
  const session = await world.openSession({ identifier: 'app', configuration: { checkpointBytes: 16 * 1024 } });
  const first = await session.download({ url: `${origin}/r.bin`, destination: { type: 'path', path: '/downloads/r.bin', ifExists: 'replace' } });
  await world.advance(2_000);
  const resumeData = await first.cancelProducingResumeData();
  if (resumeData === null) throw new Error('the cancel kept no bytes');
  return { world, session, first, resumeData };
}

describe('#7 and #9 follow a part from the task that gave it to the download made from resume data', () => {
  it('#9 holds while resume data the app keeps holds the cancelled task’s bytes (semantics: kept until used, discarded or expired)', async () => {
    const { world, first } = await cancelledIntoResumeData();
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    expect(world.disk.fileLength(`/sessions/app/bytes/parts/part-${first.taskIdentifier}`)).toBeGreaterThan(0);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it('#9 blames the download made from resume data, not the task that gave its bytes, for a part left after it succeeded', async () => {
    const { world, session, first, resumeData } = await cancelledIntoResumeData();
    const resumed = await session.download(resumeData);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    expect(await resumed.outcome()).toMatchObject({ phase: 'succeeded' });
    expect(world.violations({ settled: true })).toEqual([]);
    // What a ByteStore that forgot to delete the taken-over part would leave.
    world.disk.writeFile(`/sessions/app/bytes/parts/part-${first.taskIdentifier}`, new Uint8Array(4096));
    expect(world.violations({ settled: true }).filter((violation) => violation.invariant === 9)).toEqual([
      { invariant: 9, message: `task ${resumed.taskIdentifier} of app ended and left a partial file of 4096 bytes (part-${first.taskIdentifier})` },
    ]);
  });

  it('#9 holds a part to account once its resume data is discarded: a part left after the discard is reported', async () => {
    const { world, session, first, resumeData } = await cancelledIntoResumeData();
    await session.discardResumeData(resumeData);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    expect(world.violations({ settled: true })).toEqual([]);
    // What a ByteStore that forgot to delete the discarded bytes would leave.
    world.disk.writeFile(`/sessions/app/bytes/parts/part-${first.taskIdentifier}`, new Uint8Array(4096));
    expect(world.violations({ settled: true }).filter((violation) => violation.invariant === 9)).toEqual([
      { invariant: 9, message: `task ${first.taskIdentifier} of app ended and left a partial file of 4096 bytes (part-${first.taskIdentifier})` },
    ]);
  });

  it.each([
    ['after appending bytes of its own', 3_000],
    ['before its first response', 0],
  ])('#7 judges the download made from resume data by the part it took over, killed %s: it asks for that part’s length', async (_when, runFor) => {
    for (const planted of [undefined, { byteStoreRoundsLengthDown: true }]) {
      const { world, session, first, resumeData } = await cancelledIntoResumeData(planted);
      const given = world.disk.fileLength(`/sessions/app/bytes/parts/part-${first.taskIdentifier}`) ?? 0;
      const resumed = await session.download(resumeData);
      if (runFor > 0) await world.advance(runFor);
      world.kill();
      await world.relaunch();
      await world.runUntilIdle({ limit: 60 * 60 * 1000 });
      const kept = world.log.crashes[0]?.parts.get('app')?.get(resumed.taskIdentifier) ?? 0;
      // Its own bytes appended to the part, or only those it took over.
      if (runFor > 0) expect(kept).toBeGreaterThan(given);
      else expect(kept).toBe(given);
      const violations = world.violations({ settled: true }).filter((violation) => violation.invariant === 7);
      // The planted ByteStore rounds lengths down to whole MiB: the relaunched task asks for none of its bytes.
      expect(violations.map((violation) => violation.message)).toEqual(
        planted === undefined ? [] : [expect.stringMatching(new RegExp(`^task ${resumed.taskIdentifier} of app kept ${kept} bytes at the kill of step \\d+, and its next request \\(step \\d+\\) asked no Range$`))],
      );
    }
  });
});
