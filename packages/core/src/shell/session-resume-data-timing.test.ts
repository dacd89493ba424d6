import { describe, expect, it } from 'vitest';
import { createManualClock, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createMemoryByteStoreData, createMemoryStore, createSession } from '../index.js';
import { heldCommits, memoryPorts } from './memory-ports.test-helpers.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent } from './session-fixtures.test-helpers.js';

const kib = 1024;
const v1 = testContent(256 * kib, 7);
const v2 = testContent(256 * kib, 99);

describe('resume data describes what the part holds when the task ends (#6)', () => {
  for (const how of ['a resource timeout', 'cancelProducingResumeData'] as const) {
    it(`${how} queued behind a restart's first response: the resume data names the new version, and a server back on the old one cannot splice the two`, async () => {
      const transport = createScriptedTransport([
        // v1, cut at 64 KiB; the retry gets a 200 of v2, whose commit is held while the end is asked for; then v1 again.
        serveBytes(v1, { etag: '"v1"', chunkSize: 16 * kib, failAfter: { bytes: 64 * kib, code: 'ConnectionFailed' } }),
        serveBytes(v2, { etag: '"v2"', chunkSize: 16 * kib, hangAfter: 64 * kib }),
        serveBytes(v1, { etag: '"v1"', chunkSize: 16 * kib }),
      ]);
      const clock = createManualClock({});
      const store = heldCommits(createMemoryStore(), (batch) => JSON.stringify(batch).includes('v2'));
      const byteData = createMemoryByteStoreData();
      const host = { clock };
      const log = eventLog();
      const session = await createSession({
        ports: memoryPorts(store, transport, clock, 5, byteData),
        configuration: { identifier: 'splice', checkpointBytes: 32 * kib, timeoutForRequest: 600_000 },
        hostOptions: { listener: recordingListener(log, (at) => byteData.readFile(at)) },
      });
      const task = await session.download({ url: 'https://files.example/f', timeoutForResource: 60_000 });
      await runUntil(host, () => store.held() > 0, 100);
      let given: string | null | undefined;
      if (how === 'a resource timeout') {
        await clock.advanceAsync(61_000);
      } else {
        void task.cancelProducingResumeData().then((value) => (given = value));
      }
      await settle(host);
      await store.release();
      await runUntil(host, () => completions(log, task.taskIdentifier).length === 1, 100);
      const resumeData = given ?? completions(log, task.taskIdentifier)[0]!.error?.resumeData;
      expect(typeof resumeData).toBe('string');
      const resumed = await session.download(resumeData as string);
      await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1, 100);
      expect(completions(log, resumed.taskIdentifier)[0]!.error).toBeNull();
      // The third request asks for the rest of v2; the server has v1 again and sends all of it.
      expect(transport.requests[2]!.headers['if-range']).toBe('"v2"');
      expect(rangeStart(transport.requests[2]!.headers)).not.toBeNull();
      expect(firstDifference(log.files.get(resumed.taskIdentifier), v1)).toBe(-1);
      await session.close();
    });
  }
});
