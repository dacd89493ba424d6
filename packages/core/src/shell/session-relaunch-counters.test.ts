import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost, type ScriptedTransport } from '@bgsession/testing';
import type { Session, Task } from '../index.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent, type EventLog } from './session-fixtures.test-helpers.js';

/*
 * Semantics section 2, progress: counters are persisted only with checkpoints, and after a relaunch
 * they equal the trusted offset (section 5), the kept bytes the next attempt resumes from. A task
 * that waits offline after a relaunch shows its real progress, not 0 until the first new chunk.
 */

const kib = 1024;
const content = testContent(512 * kib);
const url = 'https://files.example/big.bin';
const configuration = { identifier: 'relaunch-counters', checkpointBytes: 64 * kib };

/** The first response stalls after `stallAt` bytes; later ones serve ranges. `etag: null` sends none. */
function stallingThenServing(stallAt: number, etag: string | null = '"v1"'): ScriptedTransport {
  const options = { chunkSize: 16 * kib, ...(etag === null ? {} : { etag }) };
  return createScriptedTransport([serveBytes(content, { ...options, hangAfter: stallAt }), serveBytes(content, options)]);
}

/** Downloads until `stallAt` bytes are written, kills the host, and opens it again offline. */
async function killAndReopenOffline(host: MemoryHost, stallAt: number, powerLoss = false): Promise<{ task: Task; log: EventLog; session: Session }> {
  const first = await host.open(configuration);
  const started = await first.download({ url });
  await runUntil(host, () => started.info().countOfBytesReceived >= stallAt);
  await host.kill();
  if (powerLoss) host.byteData.powerLoss();
  host.connectivity.set({ online: false });
  const log = eventLog();
  const session = await host.open(configuration, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
  await settle(host);
  const task = session.task(started.taskIdentifier);
  if (task === undefined) throw new Error('the task was not relaunched');
  return { task, log, session };
}

/** Goes online, lets the download finish, and answers where its resumed request started (0 without Range). */
async function finishOnline(host: MemoryHost, transport: ScriptedTransport, task: Task, log: EventLog): Promise<number> {
  host.connectivity.set({ online: true });
  await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
  expect(completions(log, task.taskIdentifier)[0]!.error).toBeNull();
  expect(firstDifference(log.files.get(task.taskIdentifier), content)).toBe(-1);
  expect(transport.requests).toHaveLength(2);
  return rangeStart(transport.requests[1]!.headers) ?? 0;
}

describe('progress counters after a relaunch', () => {
  it('after a kill on the same boot, a task waiting offline counts every kept byte, past its last checkpoint, and resumes from there', async () => {
    const transport = stallingThenServing(200 * kib);
    const host = createMemoryHost({ transport, seed: 61 });
    const { task, log, session } = await killAndReopenOffline(host, 200 * kib);
    expect(task.info()).toMatchObject({ phase: 'scheduled', reason: 'connectivity', countOfBytesReceived: 200 * kib, countOfBytesExpectedToReceive: content.length });

    expect(await finishOnline(host, transport, task, log)).toBe(200 * kib);
    // Progress goes on from the kept bytes, never back.
    const written = log.transient.flatMap((event) => (event.type === 'taskDidWriteData' ? [event.totalBytesWritten] : []));
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((total) => total > 200 * kib)).toBe(true);
    await session.close();
  });

  it('after a power loss, only the bytes of the last checkpoint count: the counter is where the next request starts', async () => {
    const transport = stallingThenServing(200 * kib);
    const host = createMemoryHost({ transport, seed: 62 });
    const { task, log, session } = await killAndReopenOffline(host, 200 * kib, true);
    const shown = task.info().countOfBytesReceived;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(200 * kib);
    expect(await finishOnline(host, transport, task, log)).toBe(shown);
    await session.close();
  });

  it('without a strong validator the kept bytes cannot be resumed: the counter says 0, and the file is fetched whole', async () => {
    const transport = stallingThenServing(200 * kib, null);
    const host = createMemoryHost({ transport, seed: 63 });
    const { task, log, session } = await killAndReopenOffline(host, 200 * kib);
    expect(task.info()).toMatchObject({ reason: 'connectivity', countOfBytesReceived: 0 });
    expect(await finishOnline(host, transport, task, log)).toBe(0);
    await session.close();
  });
});
