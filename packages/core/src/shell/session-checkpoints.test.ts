import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { eventLog, firstDifference, rangeStart, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const content = testContent(256 * 1024);
const url = 'https://files.example/big.bin';
const cutAt = 100 * 1024;

describe('checkpoints when an attempt fails', () => {
  it('#7 bytes received before a dropped connection survive a power loss during the backoff: the relaunch asks for Range from them', async () => {
    const transport = createScriptedTransport([
      { type: 'respond', status: 200, headers: { etag: '"v1"', 'content-length': String(content.length) }, body: content, chunkSize: 16 * 1024, failAfter: { bytes: cutAt, code: 'ConnectionFailed' } },
      serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024 }),
    ]);
    const host = createMemoryHost({ transport, seed: 11 });
    // Checkpoint thresholds far above the cut: only the failure itself can make the bytes durable.
    const configuration = { identifier: 'failure-checkpoint', checkpointBytes: 64 * 1024 * 1024, checkpointInterval: 3_600_000, retry: { base: 60_000 } };
    const session = await host.open(configuration, { listener: {} });
    const task = await session.download({ url, destination: { type: 'path', path: '/downloads/big.bin', ifExists: 'fail' } });
    await runUntil(host, () => task.info().phase === 'backingOff', 10);
    expect(task.info().countOfBytesReceived).toBe(cutAt);

    await host.kill();
    host.byteData.powerLoss();
    const log = eventLog();
    const again = await host.open(configuration, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
    await runUntil(host, () => log.durable.length === 2, 5_000);
    expect(transport.requests).toHaveLength(2);
    expect(rangeStart(transport.requests[1]!.headers)).toBe(cutAt);
    expect(firstDifference(host.byteData.readFile('/downloads/big.bin'), content)).toBe(-1);
    await again.close();
  });
});
