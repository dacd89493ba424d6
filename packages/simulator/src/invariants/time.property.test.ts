import fc from 'fast-check';
import { describe, it } from 'vitest';
import { invariantTitle } from './invariant-sentences.js';
import { invariantProperty, plantedBugIsCaught } from './invariant-property.test-helpers.js';
import { worldScenarioArbitrary } from './world-arbitrary.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 6);
const worlds = worldScenarioArbitrary();

describe('time over arbitrary worlds and fault schedules', () => {
  it(`${invariantTitle(11)}: no task outlives timeoutForResource from its creation, counting time the host was dead or suspended`, async () => {
    await fc.assert(invariantProperty(11, worldScenarioArbitrary({ timeoutForResource: { min: 5_000, max: 60_000 } })), { numRuns: runs });
  });

  it(`${invariantTitle(11)}: catches a session that ignores its resource timeout`, async () => {
    const stalled = worldScenarioArbitrary({ timeoutForResource: { min: 3_000, max: 9_000 }, firstAttempt: [{ type: 'stall', afterBytes: 1_000 }] });
    await plantedBugIsCaught(11, stalled, { ignoreResourceTimeout: true });
  });

  it(`${invariantTitle(12)}: no attempt starts before the due time last committed for its task, across relaunches`, async () => {
    await fc.assert(invariantProperty(12, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(12)}: catches a Store that drops due times`, async () => {
    const backingOff = worldScenarioArbitrary({ crash: { type: 'kill', from: 300, to: 1_500 }, firstAttempt: [{ type: 'status', status: 503, retryAfter: '5' }] });
    await plantedBugIsCaught(12, backingOff, { storeForgetsDueTimes: true });
  });
});

describe('retries over arbitrary worlds and fault schedules', () => {
  const throttled = worldScenarioArbitrary({ firstAttempt: [{ type: 'status', status: 503, retryAfter: '5' }] });

  it(`${invariantTitle(10)}: after a 503 or 429 with Retry-After, the next request waits that long (capped), across relaunches`, async () => {
    await fc.assert(invariantProperty(10, throttled), { numRuns: runs });
  });

  it(`${invariantTitle(10)}: catches a session that never sees Retry-After`, async () => {
    await plantedBugIsCaught(10, throttled, { transportHidesRetryAfter: true });
  });
});
