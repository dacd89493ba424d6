import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryHost, createNodeTestHasher, createScriptedTransport, serveBytes, type MemoryHost, type ScriptedTransport } from '@bgsession/testing';
import { BgSessionError, createMemoryByteStore, createMemoryStore, createSession, type ByteStore, type DurableEvent, type Session } from '../index.js';
import { completions, eventLog, firstDifference, rangeStart, recordingListener, runUntil, settle, testContent, type EventLog } from './session-fixtures.test-helpers.js';

/*
 * A download whose hand-over fails after every byte arrived (semantics section 2: a non-retryable
 * failure after valid bytes carries resume data): the error names the path and carries resume data
 * that owns the whole file, so the app can finish it at another destination without fetching it again.
 */

const kib = 1024;
const content = testContent(200 * kib);
const integrity = `sha256-${createHash('sha256').update(content).digest('base64')}`;
const url = 'https://files.example/report.bin';
const taken = '/downloads/report.bin';
const elsewhere = '/downloads/report-2.bin';
const otherAppsFile = new TextEncoder().encode('another app wrote this');

/** Serves `content` with a strong ETag (or none); `first` runs as the first request arrives. */
function serving(first: () => void, etag: string | null = '"v1"'): ScriptedTransport {
  const serve = serveBytes(content, { chunkSize: 16 * kib, ...(etag === null ? {} : { etag }) });
  let started = false;
  return createScriptedTransport((request, attempt) => {
    if (!started) {
      started = true;
      first();
    }
    return serve(request, attempt);
  });
}

async function openLogged(host: MemoryHost, identifier: string): Promise<{ session: Session; log: EventLog }> {
  const log = eventLog();
  const session = await host.open({ identifier }, { listener: recordingListener(log, (at) => host.byteData.readFile(at)) });
  return { session, log };
}

/** The one `taskDidComplete` of a task, once it came. */
function completion(log: EventLog, taskIdentifier: number): Extract<DurableEvent, { type: 'taskDidComplete' }> {
  const [event] = completions(log, taskIdentifier);
  if (event === undefined) throw new Error(`task ${taskIdentifier} did not complete`);
  return event;
}

/** Finishes a download from `resumeData` at `elsewhere`, and checks the file is whole and right. */
async function finishElsewhere(host: MemoryHost, session: Session, log: EventLog, resumeData: string): Promise<void> {
  const resumed = await session.download({ resumeData, destination: { type: 'path', path: elsewhere }, integrity });
  expect(resumed.info().countOfBytesReceived).toBe(content.length);
  await runUntil(host, () => completions(log, resumed.taskIdentifier).length === 1);
  expect(completion(log, resumed.taskIdentifier).error).toBeNull();
  expect(log.durable).toContainEqual(expect.objectContaining({ type: 'downloadDidFinish', location: elsewhere, inStore: false }));
  expect(firstDifference(host.byteData.readFile(elsewhere), content)).toBe(-1);
}

describe('a failed hand-over keeps the downloaded file for resume data', () => {
  it('a file that appears at the destination before the hand-over: DestinationExists with the path and resume data; the file finishes elsewhere with one 416, nothing fetched again', async () => {
    const transport = serving(() => host.byteData.files.set(taken, otherAppsFile));
    const host = createMemoryHost({ transport, seed: 51 });
    const { session, log } = await openLogged(host, 'hand-over-taken');
    const task = await session.download({ url, destination: { type: 'path', path: taken }, integrity });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);

    const failed = completion(log, task.taskIdentifier);
    expect(failed.error).toBeInstanceOf(BgSessionError);
    expect(failed.error).toMatchObject({ code: 'DestinationExists', path: taken });
    expect(typeof failed.error?.resumeData).toBe('string');
    expect(task.info().error).toMatchObject({ code: 'DestinationExists', path: taken, resumeData: failed.error?.resumeData });
    // The other app's file is left alone; every downloaded byte stays in the store for the resume data.
    expect(host.byteData.readFile(taken)).toEqual(otherAppsFile);
    expect(host.byteData.entries.get(`part-${task.taskIdentifier}`)?.length).toBe(content.length);

    await finishElsewhere(host, session, log, failed.error!.resumeData!);
    // The kept bytes are the whole file: the Range past its end is answered 416, which completes it.
    expect(transport.requests.map((request) => rangeStart(request.headers))).toEqual([null, content.length]);
    expect(transport.requests[1]!.headers['if-range']).toBe('"v1"');
    await session.close();
  });

  it('the path and the resume data survive the store: redelivered after a kill, they still finish the file', async () => {
    const transport = serving(() => host.byteData.files.set(taken, otherAppsFile));
    const host = createMemoryHost({ transport, seed: 52 });
    const first: DurableEvent[] = [];
    // The app dies before it acknowledges the end: the event comes again from the store.
    const held = await host.open(
      { identifier: 'hand-over-redelivered' },
      { listener: { taskDidComplete: (event) => (first.push(event), new Promise<void>(() => undefined)) } },
    );
    const task = await held.download({ url, destination: { type: 'path', path: taken } });
    await runUntil(host, () => first.length === 1);
    await host.kill();

    const { session, log } = await openLogged(host, 'hand-over-redelivered');
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    const again = completion(log, task.taskIdentifier);
    expect(again.eventId).toBe(first[0]!.eventId);
    expect(again.error).toMatchObject({ code: 'DestinationExists', path: taken });
    expect(again.error?.resumeData).toBe(first[0]!.type === 'taskDidComplete' ? first[0]!.error?.resumeData : undefined);

    await finishElsewhere(host, session, log, again.error!.resumeData!);
    expect(transport.requests.map((request) => rangeStart(request.headers))).toEqual([null, content.length]);
    await session.close();
  });

  it('a destination directory that disappeared (PermissionDenied): the error names the directory, and the resume data finishes the file elsewhere', async () => {
    const transport = serving(() => undefined);
    const host = createMemoryHost({ transport, seed: 53 });
    const store = createMemoryStore({ data: host.storeData });
    const disk = createMemoryByteStore({ data: host.byteData });
    // The directory is gone when the first hand-over comes (another app removed it meanwhile).
    const refusing: ByteStore = {
      ...disk,
      capabilities: disk.capabilities,
      handOver: async (key, request) => {
        if (request.destination?.type === 'path' && request.destination.path.startsWith('/gone/')) {
          throw new BgSessionError('PermissionDenied', 'The destination directory /gone does not exist.', { path: '/gone' });
        }
        return disk.handOver(key, request);
      },
    };
    const log = eventLog();
    const session = await createSession({
      ports: { store, byteStore: refusing, transport, clock: host.clock, random: host.random, connectivity: host.connectivity, hasher: createNodeTestHasher() },
      configuration: { identifier: 'hand-over-refused' },
      hostOptions: { listener: recordingListener(log, (at) => host.byteData.readFile(at)) },
    });
    const task = await session.download({ url, destination: { type: 'path', path: '/gone/report.bin' } });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);

    const failed = completion(log, task.taskIdentifier);
    expect(failed.error).toMatchObject({ code: 'PermissionDenied', path: '/gone' });
    expect(typeof failed.error?.resumeData).toBe('string');
    expect(host.byteData.entries.get(`part-${task.taskIdentifier}`)?.length).toBe(content.length);

    await finishElsewhere(host, session, log, failed.error!.resumeData!);
    expect(transport.requests.map((request) => rangeStart(request.headers))).toEqual([null, content.length]);
    await session.close();
  });

  it('without a strong validator there is nothing to resume under: no resume data, and the bytes are deleted', async () => {
    const transport = serving(() => host.byteData.files.set(taken, otherAppsFile), null);
    const host = createMemoryHost({ transport, seed: 54 });
    const { session, log } = await openLogged(host, 'hand-over-no-validator');
    const task = await session.download({ url, destination: { type: 'path', path: taken } });
    await runUntil(host, () => completions(log, task.taskIdentifier).length === 1);
    await settle(host);

    const failed = completion(log, task.taskIdentifier);
    expect(failed.error).toMatchObject({ code: 'DestinationExists', path: taken });
    expect(failed.error?.resumeData).toBeUndefined();
    expect(host.byteData.entries.has(`part-${task.taskIdentifier}`)).toBe(false);
    expect(host.byteData.readFile(taken)).toEqual(otherAppsFile);
    await session.close();
  });
});
