import { describe, expect, it } from 'vitest';
import { createMemoryHost, createScriptedTransport, serveBytes, type MemoryHost } from '@bgsession/testing';
import { BgSessionError, type ErrorCode, type Session } from '../index.js';
import { eventLog, failureOf, recordingListener, runUntil, testContent } from './session-fixtures.test-helpers.js';

const url = 'https://files.example/a.bin';
const body = new Uint8Array([1, 2, 3]);

/** Asserts `call` threw or rejected with a BgSessionError with `code` (and `field`, when given). */
async function expectBgError(call: () => unknown, code: ErrorCode, field?: string): Promise<BgSessionError> {
  const error = await failureOf(call);
  expect(error, `expected ${code}${field === undefined ? '' : ` naming ${field}`}`).toBeInstanceOf(BgSessionError);
  const bg = error as BgSessionError;
  expect({ code: bg.code, ...(field === undefined ? {} : { field: bg.field }) }).toEqual({ code, ...(field === undefined ? {} : { field }) });
  return bg;
}

/** A host whose server never answers: valid tasks stay in flight and change nothing. */
function quietHost(seed = 1): MemoryHost {
  return createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })), seed });
}

describe('download(resumeData) refuses resume data it cannot use with InvalidResumeData', () => {
  const content = testContent(64 * 1024);

  /** A session with one cancelled download whose 32 KiB are kept for resume data. */
  async function withResumeData(host: MemoryHost, identifier: string): Promise<{ session: Session; resumeData: string }> {
    const session = await host.open({ identifier, checkpointBytes: 16 * 1024 });
    const task = await session.download({ url });
    await runUntil(host, () => task.info().countOfBytesReceived >= 32 * 1024);
    const resumeData = await task.cancelProducingResumeData();
    expect(resumeData).not.toBeNull();
    return { session, resumeData: resumeData! };
  }

  function stallingHost(seed: number): MemoryHost {
    return createMemoryHost({ transport: createScriptedTransport(serveBytes(content, { etag: '"v1"', chunkSize: 16 * 1024, hangAfter: 32 * 1024 })), seed });
  }

  it('garbage, truncated, altered or non-string values -> InvalidResumeData', async () => {
    const host = stallingHost(11);
    const { session, resumeData } = await withResumeData(host, 'resume-bad');
    const altered = `${resumeData.slice(0, 10)}${resumeData[10] === 'A' ? 'B' : 'A'}${resumeData.slice(11)}`;
    for (const bad of ['garbage', '%%%not-base64%%%', '', resumeData.slice(0, resumeData.length - 7), resumeData.slice(5), altered, 'eyJ2ZXJzaW9uIjoyfQ']) {
      await expectBgError(() => session.download(bad), 'InvalidResumeData');
    }
    for (const bad of [42, null, { resumeData }]) {
      const error = await failureOf(() => session.discardResumeData(bad as never));
      expect(error).toBeInstanceOf(BgSessionError);
      expect((error as BgSessionError).code).toBe('InvalidResumeData');
    }
    expect(session.tasks().map((t) => t.info().phase)).toEqual(['cancelled']);
    await session.close();
  });

  it("another session's resume data -> InvalidResumeData naming resumeData", async () => {
    const host = stallingHost(12);
    const { session, resumeData } = await withResumeData(host, 'resume-owner');
    await session.close();
    const other = await createMemoryHost({ transport: createScriptedTransport(() => ({ type: 'hang' })) }).open({ identifier: 'resume-other' });
    await expectBgError(() => other.download(resumeData), 'InvalidResumeData', 'resumeData');
    await other.close();
  });

  it('resume data already used, or discarded, -> InvalidResumeData', async () => {
    const host = stallingHost(13);
    const { session, resumeData } = await withResumeData(host, 'resume-used');
    const resumed = await session.download(resumeData);
    expect(resumed.taskIdentifier).toBeGreaterThan(0);
    await expectBgError(() => session.download(resumeData), 'InvalidResumeData', 'resumeData');
    await session.close();

    const second = stallingHost(14);
    const { session: again, resumeData: discarded } = await withResumeData(second, 'resume-discarded');
    await again.discardResumeData(discarded);
    await expectBgError(() => again.download(discarded), 'InvalidResumeData', 'resumeData');
    await again.close();
  });
});

describe('acknowledge, events and calls on a closed or failed session', () => {
  it('acknowledge(non-string) -> InvalidArgument; an unknown id is a no-op that says so', async () => {
    const session = await quietHost().open({ identifier: 'ack' });
    for (const bad of [42, null, undefined, { eventId: 'x' }]) {
      await expectBgError(() => session.acknowledge(bad as never), 'InvalidArgument', 'eventId');
    }
    expect(await session.acknowledge('f'.repeat(32))).toEqual({ acknowledged: false, reason: 'unknownEvent' });
    expect(await session.acknowledge('')).toEqual({ acknowledged: false, reason: 'unknownEvent' });
    await session.close();
  });

  it('an event acknowledged through the listener, acknowledged again, is a no-op that says so', async () => {
    const host = createMemoryHost({ transport: createScriptedTransport([{ type: 'respond', status: 200, body: 'ok' }]), seed: 2 });
    const log = eventLog();
    const session = await host.open({ identifier: 'ack-twice' }, { listener: recordingListener(log) });
    await session.data({ url });
    await runUntil(host, () => log.durable.length === 1 && session.tasks().length === 0);
    expect(await session.acknowledge(log.durable[0]!.eventId)).toEqual({ acknowledged: false, reason: 'alreadyAcknowledged' });
    await session.close();
  });

  it('events() twice, or on a session opened with a listener -> InvalidArgument', async () => {
    const session = await quietHost().open({ identifier: 'events-twice' });
    session.events();
    await expectBgError(() => session.events(), 'InvalidArgument');
    await session.close();
    const withListener = await quietHost().open({ identifier: 'events-listener' }, { listener: {} });
    await expectBgError(() => withListener.events(), 'InvalidArgument', 'listener');
    await withListener.close();
  });

  it('every call after close() -> SessionClosed (not a disk error), and the identifier opens again', async () => {
    const host = quietHost();
    const session = await host.open({ identifier: 'closed' });
    const task = await session.download({ url, resume: false });
    const iterator = session.events();
    const pending = iterator.next();
    await session.close();
    // An iterator open at close ends instead of waiting forever.
    expect(await pending).toEqual({ value: undefined, done: true });
    const calls: Array<() => unknown> = [
      () => session.events(), () => session.download({ url }), () => session.upload({ url, body }), () => session.data({ url }), () => session.acknowledge('x'),
      () => session.discardResumeData('x'), () => session.finishTasksAndInvalidate(), () => session.invalidateAndCancel(),
      () => task.resume(), () => task.suspend(), () => task.cancel(), () => task.cancelProducingResumeData(),
    ];
    for (const closedCall of calls) await expectBgError(closedCall, 'SessionClosed');
    await session.close();
    const again = await host.open({ identifier: 'closed' });
    expect(again.tasks().map((t) => t.taskIdentifier)).toEqual([task.taskIdentifier]);
    await again.close();
  });

  it('after a store write fails, every call -> StoreFailed and the task stays as the last good commit left it', async () => {
    const host = quietHost();
    const session = await host.open({ identifier: 'failed-store' });
    const task = await session.download({ url, resume: false });
    host.current!.store.failNextCommit();
    await expectBgError(() => session.download({ url: 'https://files.example/b.bin' }), 'StoreFailed');
    await expectBgError(() => session.data({ url }), 'StoreFailed');
    await expectBgError(() => task.resume(), 'StoreFailed');
    await expectBgError(() => session.acknowledge('x'), 'StoreFailed');
    await expectBgError(() => session.finishTasksAndInvalidate(), 'StoreFailed');
    await session.close();
    const again = await host.open({ identifier: 'failed-store' });
    expect(again.tasks().map((t) => [t.taskIdentifier, t.info().phase])).toEqual([[task.taskIdentifier, 'created']]);
    await again.close();
  });
});
