import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from './create-world.js';

describe('tracedSession', () => {
  // With the core before its fix, #6 and #9 report this world: the cancelled task's acknowledgement
  // deleted the part the resumed task had taken over, and a 57,344-byte file was delivered.
  it("#6 #9 hold for a download made from resume data: it is traced with the resume data's URL, so the checkers that start from a task's URL judge it", async () => {
    const origin = 'https://files.example';
    const world = createWorld({ seed: 21, start: 1_704_067_200_000 });
    const length = 64 * 1024;
    world.server(origin).file('/r.bin', { content: generatedContent({ seed: 9, length }), bytesPerSecond: 8 * 1024 });
    await world.disk.fs.mkdir('/downloads');
    await world.disk.fs.fsyncDir('/');
    const session = await world.openSession({ identifier: 'app', configuration: { checkpointBytes: 4 * 1024 } });
    const first = await session.download({ url: `${origin}/r.bin`, destination: { type: 'path', path: '/downloads/r.bin', ifExists: 'fail' } });
    await world.advance(2_000);
    const resumeData = await first.cancelProducingResumeData();
    expect(resumeData).not.toBeNull();
    const resumed = await session.download(resumeData as string);
    await world.runUntilIdle({ limit: 60 * 60 * 1000 });
    const urls = world.trace.ofKind('created').map((entry) => [entry.taskIdentifier, entry.url]);
    expect(urls).toEqual([
      [first.taskIdentifier, `${origin}/r.bin`],
      [resumed.taskIdentifier, `${origin}/r.bin`],
    ]);
    expect(world.violations({ settled: true })).toEqual([]);
  });
});
