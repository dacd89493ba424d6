import fc from 'fast-check';
import { describe, it } from 'vitest';
import { invariantTitle } from './invariant-sentences.js';
import { invariantProperty, plantedBugIsCaught } from './invariant-property.test-helpers.js';
import { worldScenarioArbitrary } from './world-arbitrary.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 8);
const worlds = worldScenarioArbitrary();
const killedEarly = worldScenarioArbitrary({ crash: { type: 'kill', from: 200, to: 2_500 } });
const killedLater = worldScenarioArbitrary({ crash: { type: 'kill', from: 2_000, to: 8_000 }, maxLength: 2 * 1024 * 1024, minFiles: 2 });

describe('tasks and events over arbitrary worlds and fault schedules', () => {
  it(`${invariantTitle(1)}: every created task is still stored or its end was acknowledged, through kills, power losses and relaunches`, async () => {
    await fc.assert(invariantProperty(1, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(1)}: catches a Store that drops task records`, async () => {
    await plantedBugIsCaught(1, killedEarly, { storeDropsTaskPuts: true });
  });

  it(`${invariantTitle(2)}: every task ends once with one eventId, acknowledged exactly once and never delivered after`, async () => {
    await fc.assert(invariantProperty(2, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(2)}: catches a Store that drops acknowledgements`, async () => {
    await plantedBugIsCaught(2, killedLater, { storeDropsAcknowledgements: true });
  });

  it(`${invariantTitle(3)}: no event is delivered and no outcome resolves before the commit that made it durable`, async () => {
    await fc.assert(invariantProperty(3, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(3)}: catches a Store that makes events durable one commit late`, async () => {
    await plantedBugIsCaught(3, worlds, { storeDefersEvents: true });
  });

  it(`${invariantTitle(4)}: no commit changes an ended task, and no progress follows its terminal event`, async () => {
    await fc.assert(invariantProperty(4, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(4)}: catches a Store that forgets ends, so a relaunch runs an ended task again`, async () => {
    await plantedBugIsCaught(4, killedLater, { storeForgetsEnds: true });
  });

  it(`${invariantTitle(5)}: no two creations in a session resolve with the same identifier`, async () => {
    await fc.assert(invariantProperty(5, worlds), { numRuns: runs });
  });
});
