import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Run exactly as `pnpm start` runs it: the workspace's one TypeScript runner on the example's main.
const runner = fileURLToPath(new URL('../../../scripts/with-tsx.mjs', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the node-download example', () => {
  it('kills the download part-way, resumes it with Range from the kept bytes, verifies it and acknowledges its events once', () => {
    // 32 MiB keeps the run short; the server's throttle scales with the size, so the story is the same.
    const run = spawnSync(process.execPath, [runner, main], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: { ...process.env, NODE_DOWNLOAD_MIB: '32' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const output = run.stdout;
    expect(run.status, `${output}\n${run.stderr}`).toBe(0);

    expect(output).toMatch(/launch 1 exited: SIGKILL after reporting [\d,]+/);
    expect(output).toMatch(/launch 2 \| opened 1 task\(s\) kept: task 1 'big' running/);
    expect(output).toMatch(/Range bytes=[1-9]\d*-, If-Range "[0-9a-f]{16}": [\d,]+ \([\d.]+ MiB\) kept, [\d,]+ \([\d.]+ MiB\) fetched, 0 fetched twice/);
    expect(output).toContain('launch 2 | outcome succeeded');
    expect(output).toContain('sha256 ok');
    expect(output.match(/event downloadDidFinish [0-9a-f]{32} task 1: acknowledged/g)).toHaveLength(1);
    expect(output.match(/event taskDidComplete [0-9a-f]{32} task 1 error none: acknowledged/g)).toHaveLength(1);
    expect(output).toContain('launch 3 | opened 0 task(s) kept');
    expect(output).toContain('all 10 claims held');
  }, 70_000);
});
