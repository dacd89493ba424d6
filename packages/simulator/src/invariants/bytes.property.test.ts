import fc from 'fast-check';
import { describe, it } from 'vitest';
import { invariantTitle } from './invariant-sentences.js';
import { invariantProperty, plantedBugIsCaught } from './invariant-property.test-helpers.js';
import { worldScenarioArbitrary } from './world-arbitrary.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 8);
const worlds = worldScenarioArbitrary();
const killedMidDownload = worldScenarioArbitrary({ crash: { type: 'kill', from: 300, to: 1_500 }, validators: ['etag'], minFiles: 2 });

describe('bytes over arbitrary worlds and fault schedules', () => {
  it(`${invariantTitle(6)}: a delivered file equals the server's content for the version it ended with, byte for byte`, async () => {
    await fc.assert(invariantProperty(6, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(6)}: catches a ByteStore that hands a part over without its tail`, async () => {
    await plantedBugIsCaught(6, worlds, { byteStoreHandsOverShort: true });
  });

  it(`${invariantTitle(7)}: after a kill on the same boot, the next request asks Range from the partial file's length at death, power losses before it included`, async () => {
    await fc.assert(invariantProperty(7, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(7)}: catches a ByteStore that reports partial lengths rounded down`, async () => {
    await plantedBugIsCaught(7, killedMidDownload, { byteStoreRoundsLengthDown: true });
  });

  it(`${invariantTitle(8)}: no request carries Range without If-Range naming a strong validator seen before`, async () => {
    await fc.assert(invariantProperty(8, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(8)}: catches a transport that drops If-Range`, async () => {
    await plantedBugIsCaught(8, killedMidDownload, { transportStripsIfRange: true });
  });

  it(`${invariantTitle(9)}: a delivered file has the server's full length, and ended tasks leave no partial file`, async () => {
    await fc.assert(invariantProperty(9, worlds), { numRuns: runs });
  });

  it(`${invariantTitle(9)}: catches a ByteStore that hands a part over without its tail`, async () => {
    await plantedBugIsCaught(9, worlds, { byteStoreHandsOverShort: true });
  });
});
