import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { appendFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransientEvent } from '@bgsession/core';
import { openSession, type NodeSession } from './open-session.js';
import { generatedContent, sha256Hex, within } from './range-server.test-helpers.js';

const MiB = 1024 * 1024;
const wait = 10_000;

/** What the server saw of one upload: the hash and length of its whole body, once it ended. */
interface Received {
  readonly sha256: string;
  readonly length: number;
}

/**
 * A server on 127.0.0.1 that hashes each request body and answers 201 once it is whole. With
 * `holdBody`, it reads no body byte until the promise `holdBody(request)` returns settles.
 */
async function uploadServer(holdBody?: (request: IncomingMessage) => Promise<void>): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    request.pause();
    const hash = createHash('sha256');
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    request.on('end', () => {
      received.push({ sha256: hash.digest('hex'), length });
      response.writeHead(201, { 'content-length': '0' }).end();
    });
    request.on('error', () => undefined);
    void (holdBody?.(request) ?? Promise.resolve()).then(() => request.resume());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('openSession: uploads from a file', () => {
  let directory: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bgsession-upload-'));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(directory, { recursive: true, force: true });
  });

  async function open(progress: TransientEvent[] = []): Promise<NodeSession> {
    const session = await openSession({
      identifier: 'com.example.uploads',
      directory: join(directory, 'session'),
      connectivity: { online: true },
      configuration: { retry: { base: 10, cap: 50 } },
      listener: { taskDidSendBodyData: (event) => void progress.push(event) },
    });
    cleanups.push(() => session.close());
    return session;
  }

  it('sends a file of a few MiB byte for byte, with progress up to its size, and never copies it into the session', async () => {
    const server = await uploadServer();
    cleanups.push(() => server.close());
    const content = generatedContent(5 * MiB + 123);
    const path = join(directory, 'video.bin');
    await writeFile(path, content);
    const progress: TransientEvent[] = [];
    const session = await open(progress);

    const task = await session.upload({ url: server.url, file: path });
    const outcome = await within(task.outcome(), wait, 'the upload to end');
    expect(outcome.error).toBeNull();
    expect(outcome.phase).toBe('succeeded');
    expect(server.received).toEqual([{ sha256: sha256Hex(content), length: content.length }]);
    expect(progress.at(-1)).toMatchObject({ type: 'taskDidSendBodyData', totalBytesSent: content.length, totalBytesExpectedToSend: content.length });
    expect(outcome.task.countOfBytesSent).toBe(content.length);
  });

  it('takes a relative path against the working directory, as node:fs would', async () => {
    const server = await uploadServer();
    cleanups.push(() => server.close());
    const content = generatedContent(256 * 1024);
    const path = join(directory, 'notes.bin');
    await writeFile(path, content);
    const session = await open();

    const task = await session.upload({ url: server.url, file: relative(process.cwd(), path) });
    expect((await within(task.outcome(), wait, 'the upload to end')).phase).toBe('succeeded');
    expect(server.received).toEqual([{ sha256: sha256Hex(content), length: content.length }]);
  });

  it('a file that grows while it is sent ends the task with UploadSourceChanged, and the server never gets a whole body', async () => {
    // The server reads nothing until the file has grown. What the client can send meanwhile is
    // bounded by the sockets' buffers (a few MiB on loopback), far below the file's size, so its
    // last byte cannot have been read before the change.
    const content = generatedContent(32 * MiB);
    const path = join(directory, 'growing.bin');
    await writeFile(path, content);
    const server = await uploadServer(() => appendFile(path, 'more'));
    cleanups.push(() => server.close());
    const session = await open();

    const task = await session.upload({ url: server.url, file: path });
    const outcome = await within(task.outcome(), wait, 'the upload to end');
    expect(outcome.phase).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'UploadSourceChanged', retryable: false, path });
    expect(server.received).toEqual([]);
  });

  it('a missing file, a directory, a symbolic link or a relative path to nothing is refused at the call, naming `file`', async () => {
    const session = await open();
    const target = join(directory, 'target.bin');
    await writeFile(target, 'x');
    await symlink(target, join(directory, 'link.bin'));
    for (const file of [join(directory, 'missing.bin'), directory, join(directory, 'link.bin'), 'no/such/file.bin']) {
      await expect(session.upload({ url: 'http://127.0.0.1:9/upload', file })).rejects.toMatchObject({ code: 'InvalidArgument', field: 'file' });
    }
    expect(session.tasks()).toEqual([]);
  });
});
