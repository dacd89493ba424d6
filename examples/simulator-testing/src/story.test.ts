import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tellStory } from './story.js';

describe('the story', () => {
  it('tells of the crashes, the redelivered event, one record per photo, and the duplicate without the eventId check', async () => {
    const story = await tellStory(2024);
    const text = story.lines.join('\n');
    expect(story.ok, text).toBe(true);
    expect(text).toContain('power loss at data-write (process 1)');
    expect(text).toContain('kill at handler-returned (process 2)');
    expect(text).toMatch(/4 deliveries of 3 distinct downloadDidFinish events/);
    expect(text).toContain('3 eventIds applied.');
    expect(text).toContain('the same run records 4 rows for 3 photos (1 duplicate)');
    expect(text).toContain('Every claim held');
  });

  it('runs with one command, as `pnpm start` runs it, and exits 0', () => {
    const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../../scripts/with-tsx.mjs', import.meta.url)), fileURLToPath(new URL('./main.ts', import.meta.url)), '7'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('seed 7');
    expect(run.stdout).toContain('Every claim held');
  }, 70_000);
});
