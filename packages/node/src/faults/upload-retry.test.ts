import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransientEvent } from '@bgsession/core';
import { generatedContent } from '../host/range-server.test-helpers.js';
import type { NodeSession } from '../host/open-session.js';
import { createCleanup, openTestSession, scratchDirectory, startRecordingServer, until, within, type RecordingServer } from './hostile-servers.test-helpers.js';

// An upload end to end on the real Node adapter: the body is copied into the store and streamed
// from there with its exact length; the server cuts the first attempt after part of the body;
// the task retries (a PUT is idempotent, semantics section 4); progress rises within each
// attempt; the server finally holds the whole body, byte for byte.

const MiB = 1024 * 1024;
const size = 4 * MiB;
const cutAfter = 1 * MiB;
const body = generatedContent(size);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

type SendEvent = Extract<TransientEvent, { type: 'taskDidSendBodyData' }>;

describe('an upload with progress and a retry', () => {
  const cleanup = createCleanup();
  let server: RecordingServer;
  let session: NodeSession;
  let received: { length: number; sha256: string }[];
  let sent: SendEvent[];

  beforeEach(async () => {
    received = [];
    sent = [];
    server = await startRecordingServer(cleanup, (request, response) => {
      const attempt = server.requests.length;
      const socket = request.socket;
      void readPaced(request, attempt === 1 ? cutAfter : Number.POSITIVE_INFINITY).then((bytes) => {
        if (bytes === null) {
          // The first attempt: part of the body is in, then the connection goes.
          socket.destroy();
          return;
        }
        received.push({ length: bytes.length, sha256: sha256(bytes) });
        response.writeHead(201, { 'content-length': '7' }).end('created');
      });
    });
    session = await openTestSession(cleanup, await scratchDirectory(cleanup), {
      configuration: { progressInterval: 1 },
      listener: { taskDidSendBodyData: (event) => void sent.push(event) },
    });
  });
  afterEach(() => cleanup.run());

  /**
   * Reads the body a little at a time (so the upload takes many progress intervals), or returns
   * null once `cutAt` bytes are in.
   */
  async function readPaced(request: IncomingMessage, cutAt: number): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= cutAt) return null;
      request.pause();
      await new Promise((done) => setTimeout(done, 1));
      request.resume();
    }
    return Buffer.concat(chunks);
  }

  it('a PUT cut mid-body is retried, progress rises, and the server ends with the exact body', async () => {
    const task = await session.upload({ url: `${server.origin}/upload`, body });
    const outcome = await within(task.outcome(), 15_000, 'the upload to end');
    expect(outcome.phase).toBe('succeeded');

    expect(server.requests.map((request) => [request.method, request.headers['content-length']])).toEqual([
      ['PUT', String(size)],
      ['PUT', String(size)],
    ]);
    expect(received).toEqual([{ length: size, sha256: sha256(body) }]);

    // Each attempt sends the body from byte 0 again: its first event counts everything sent so
    // far (bytesSent equals totalBytesSent), later ones the increment since the one before.
    const attempts: SendEvent[][] = [];
    for (const event of sent) {
      if (event.bytesSent === event.totalBytesSent) attempts.push([event]);
      else attempts.at(-1)?.push(event);
    }
    expect(attempts).toHaveLength(2);
    const [first = [], last = []] = attempts;
    // (The first attempt may report its whole body sent: the kernel's socket buffers took it.)
    expect(first.length).toBeGreaterThan(0);
    expect(last.length).toBeGreaterThan(1);
    for (const events of attempts) {
      for (let index = 1; index < events.length; index += 1) {
        expect(events[index]?.totalBytesSent).toBeGreaterThan(events[index - 1]?.totalBytesSent ?? 0);
      }
    }
    expect(last.at(-1)).toMatchObject({ totalBytesSent: size, totalBytesExpectedToSend: size });
    expect(last.reduce((total, event) => total + event.bytesSent, 0)).toBe(size);
    // No progress after the end.
    const afterEnd = sent.length;
    await until(() => session.tasks().length === 0, 5_000, 'the task to be acknowledged and forgotten');
    expect(sent).toHaveLength(afterEnd);
  });

  it('the store copy of the body is deleted with the task', async () => {
    const task = await session.upload({ url: `${server.origin}/upload`, body: body.subarray(0, 3 * MiB) });
    expect((await within(task.outcome(), 15_000, 'the upload to end')).phase).toBe('succeeded');
    await until(() => session.tasks().length === 0, 5_000, 'the task to be acknowledged and forgotten');
    const parts = join(session.directory, 'bytes', 'parts');
    await until(async () => (await readdir(parts)).length === 0, 5_000, 'the body copy to be deleted');
  });

  it('a POST cut mid-body is not retried (it may have been processed), unless marked idempotent', async () => {
    const post = await session.upload({ url: `${server.origin}/upload`, method: 'POST', body });
    const refused = await within(post.outcome(), 15_000, 'the POST to end');
    expect(refused.phase).toBe('failed');
    expect(refused.error).toMatchObject({ code: 'ConnectionFailed', bodyMayHaveBeenSent: true });
    expect(server.requests).toHaveLength(1);

    server.requests.length = 0;
    const marked = await session.upload({ url: `${server.origin}/upload`, method: 'POST', idempotent: true, body });
    expect((await within(marked.outcome(), 15_000, 'the idempotent POST to end')).phase).toBe('succeeded');
    expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST']);
    expect(received).toEqual([{ length: size, sha256: sha256(body) }]);
  });
});
