import fc from 'fast-check';
import { describe, it } from 'vitest';
import { invariantTitle } from './invariant-sentences.js';
import { invariantProperty, plantedBugIsCaught } from './invariant-property.test-helpers.js';
import { worldScenarioArbitrary } from './world-arbitrary.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 8);

describe('scheduling over arbitrary worlds and fault schedules', () => {
  it(`${invariantTitle(14)}: at no instant do more than maxConnectionsPerHost attempts of a session run against one origin`, async () => {
    await fc.assert(invariantProperty(14, worldScenarioArbitrary({ minFiles: 2 })), { numRuns: runs });
  });

  it(`${invariantTitle(14)}: catches a session that ignores its limits`, async () => {
    await plantedBugIsCaught(14, worldScenarioArbitrary({ minFiles: 3 }), { ignoreLimits: true });
  });
});
