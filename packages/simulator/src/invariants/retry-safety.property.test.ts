import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createWorld } from '../world/create-world.js';
import type { PlantedWorldBugs } from '../world/planted-bugs.js';
import { checkRetrySafety } from './check-retry-safety.js';
import { featureBugIsCaught, featureProperty, type FeatureRun } from './feature-property.test-helpers.js';
import { invariantTitle } from './invariant-sentences.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 6);
const KiB = 1024;

interface UploadWorld {
  readonly seed: number;
  /** Each upload's size, and whether the server resets the connection once its body arrived (first attempt). */
  readonly uploads: readonly { readonly size: number; readonly resetAfterBody: boolean }[];
  /** A kill at this virtual ms (the world relaunches 1 s later), or null. */
  readonly killAt: number | null;
}

const uploadWorlds: fc.Arbitrary<UploadWorld> = fc.record({
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  uploads: fc.array(fc.record({ size: fc.integer({ min: 64 * KiB, max: 768 * KiB }), resetAfterBody: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  killAt: fc.option(fc.integer({ min: 50, max: 2_500 }), { nil: null }),
});

async function runUploads(input: UploadWorld, planted: PlantedWorldBugs): Promise<FeatureRun> {
  const world = createWorld({ seed: input.seed, planted });
  const server = world.server('https://api.example');
  world.network.configureHost('api.example', { latency: 40, bandwidth: 256 * KiB });
  const session = await world.openSession({ identifier: 'app', configuration: { retry: { base: 1000, cap: 10_000 }, timeoutForRequest: 10_000 } });
  const urls = new Set<string>();
  for (const [index, upload] of input.uploads.entries()) {
    server.upload(`/upload-${index}`, upload.resetAfterBody ? { script: (_request, attempt) => (attempt === 1 ? { type: 'reset', afterRequestBody: true } : undefined) } : {});
    const url = `https://api.example/upload-${index}`;
    urls.add(url);
    await session.upload({ url, method: 'POST', body: new Uint8Array(upload.size).fill(index + 1) });
  }
  if (input.killAt !== null) world.schedule([{ type: 'kill', at: input.killAt }]);
  await world.runUntilIdle({ limit: 60 * 60 * 1000 });
  return { world, violations: checkRetrySafety({ attempts: world.log.attempts, crashes: world.log.crashes, trace: world.trace, nonIdempotent: urls }) };
}

describe('retries of non-idempotent requests over generated worlds', () => {
  it(`${invariantTitle(13)}: a POST cut by a kill or a reset after its body ends RequestInterrupted or failed, and is never sent again`, async () => {
    await fc.assert(featureProperty(13, uploadWorlds, runUploads), { numRuns: runs });
  });

  it(`${invariantTitle(13)}: catches a Store that drops the record of a non-idempotent attempt's start`, async () => {
    const killed = uploadWorlds.map((input) => ({ ...input, uploads: input.uploads.map((upload) => ({ ...upload, size: Math.max(upload.size, 512 * KiB), resetAfterBody: false })), killAt: 300 + (input.seed % 1_200) }));
    await featureBugIsCaught(13, killed, runUploads, { storeForgetsAttemptStarts: true });
  });
});
