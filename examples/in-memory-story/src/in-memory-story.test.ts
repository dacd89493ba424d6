import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Run exactly as `pnpm start` runs it: the workspace's one TypeScript runner on the example's main.
const runner = fileURLToPath(new URL('../../../scripts/with-tsx.mjs', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('the in-memory story', () => {
  it('tells the whole story and exits 0: resume with Range, redelivery of the same eventId, every claim held', () => {
    // From another directory, as `pnpm --filter` runs it from the root; bounded so a stuck story fails.
    const run = spawnSync(process.execPath, [runner, main], { cwd: fileURLToPath(new URL('../../..', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
    const output = run.stdout;
    expect(run.status, `${output}\n${run.stderr}`).toBe(0);

    expect(output).toMatch(/attempt 1: failed before any response, ConnectionFailed/);
    expect(output).toMatch(/attempt 2: connection dropped after 1,200,000 body bytes/);
    expect(output).toContain('range: bytes=1200000-, if-range: "5d41-v1"');
    expect(output).toMatch(/attempt 3: response 206, Content-Range bytes 1200000-2097151\/2097152/);

    const first = /event downloadDidFinish ([0-9a-f]{32})\n/.exec(output)?.[1];
    expect(first).toBeDefined();
    expect(output).toContain(`event downloadDidFinish ${first ?? '?'} (delivered again: same eventId)`);
    expect(output).toContain('host 3: 0 events delivered');

    expect(output).toContain('1,200,000 bytes kept, 0 fetched again');
    expect(output).toContain('sent 2,097,152 body bytes for a 2,097,152-byte file');
    expect(output).toContain('sha256 ok');
    expect(output).toMatch(/all \d+ claims held/);
  });
});
