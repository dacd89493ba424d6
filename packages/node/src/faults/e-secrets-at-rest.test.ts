import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeSession } from '../host/open-session.js';
import { createCleanup, openTestSession, scratchDirectory, startRecordingServer, until, within, type RecordingServer } from './hostile-servers.test-helpers.js';

// faults.md E28, invariant #21 and ADR 8 on the real Node adapter: after a run with credentials,
// no file the library wrote holds a secret in clear, and the store is the owner's alone.

const secrets = {
  authorization: 'Bearer SECRET-a1b2c3-authorization',
  cookie: 'sid=SECRET-d4e5f6-cookie',
  'proxy-authorization': 'Basic SECRET-g7h8i9-proxy',
  'x-api-key': 'SECRET-j0k1l2-api-key',
};
const configuration = {
  sensitiveHeaders: ['authorization', 'cookie', 'proxy-authorization', 'x-api-key'],
  additionalHeaders: { 'x-api-key': secrets['x-api-key'] },
  // Resume data covers checkpointed bytes: checkpoint often, so the half body is in it.
  checkpointBytes: 16 * 1024,
};

/** Every file and directory under `directory`, with its mode, recursively (links not followed). */
async function entriesUnder(directory: string): Promise<{ path: string; mode: number; isFile: boolean }[]> {
  const found = [{ path: directory, mode: (await lstat(directory)).mode, isFile: false }];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await entriesUnder(path)));
    else found.push({ path, mode: (await lstat(path)).mode, isFile: true });
  }
  return found;
}

/** Each secret, in clear and in the encodings a careless writer would use. */
function needles(): Buffer[] {
  return Object.values(secrets).flatMap((secret) => {
    const bare = secret.replace(/^(Bearer|Basic) /, '');
    return [bare, Buffer.from(bare).toString('base64'), Buffer.from(bare).toString('base64url'), encodeURIComponent(bare)].map((text) => Buffer.from(text));
  });
}

async function filesHoldingSecrets(paths: readonly string[]): Promise<string[]> {
  const holding: string[] = [];
  for (const path of paths) {
    const bytes = await readFile(path);
    if (needles().some((needle) => bytes.includes(needle))) holding.push(path);
  }
  return holding;
}

describe('E28: no secret at rest, and a store only its owner can read', () => {
  const cleanup = createCleanup();
  let parent: string;
  let server: RecordingServer;

  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    server = await startRecordingServer(cleanup, (request, response) => {
      if (request.headers.authorization !== secrets.authorization) {
        response.writeHead(401, { 'content-length': '0', 'www-authenticate': 'Bearer' }).end();
        return;
      }
      if (request.url === '/slow') {
        // Half a body, then silence: the task is cancelled with resume data meanwhile.
        response.writeHead(200, { 'content-length': '200000', etag: '"slow-v1"' });
        response.write(Buffer.alloc(100_000, 1));
        return;
      }
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-length': '9', etag: '"v1"' }).end('fine body'));
    });
  });
  afterEach(() => cleanup.run());

  async function runWithCredentials(session: NodeSession): Promise<{ destination: string; resumeData: string | null }> {
    const destination = join(parent, 'downloaded.bin');
    const url = (path: string): string => `${server.origin}${path}`;
    const done = [
      await session.download({ url: url('/file'), headers: secrets, destination: { type: 'path', path: destination, ifExists: 'fail' } }),
      await session.data({ url: url('/data'), method: 'POST', headers: secrets, body: new TextEncoder().encode('payload') }),
      await session.upload({ url: url('/upload'), headers: secrets, body: new TextEncoder().encode('upload body') }),
    ];
    for (const task of done) expect((await within(task.outcome(), 5_000, 'a task')).phase).toBe('succeeded');
    const slow = await session.download({ url: url('/slow'), headers: secrets });
    const part = join(session.directory, 'bytes', 'parts', `part-${slow.taskIdentifier}`);
    // Resume data covers checkpointed bytes: wait for the half body on disk and a checkpoint of it
    // (the pump writes on while a checkpoint commits, so bytes on disk come first).
    await until(async () => ((await stat(part).catch(() => null))?.size ?? 0) >= 100_000 && slow.info().countOfBytesReceived > 0, 5_000, 'half of the slow body, checkpointed');
    const resumeData = await slow.cancelProducingResumeData();
    // A task at rest that will need its credentials again after the relaunch.
    await session.download({ url: url('/file'), headers: secrets, resume: false, destination: { type: 'path', path: join(parent, 'later.bin'), ifExists: 'fail' } });
    return { destination, resumeData };
  }

  it('after a run with every kind of task, cancellation with resume data and a relaunch, no file holds a secret', async () => {
    const session = await openTestSession(cleanup, parent, { configuration });
    const { destination, resumeData } = await runWithCredentials(session);
    expect(resumeData).not.toBeNull();
    expect(needles().some((needle) => Buffer.from(resumeData ?? '').includes(needle) || Buffer.from(resumeData ?? '', 'base64url').includes(needle))).toBe(false);
    await session.close();

    // The relaunch: the waiting task gets its credentials from the app again (ADR 8), not the store.
    const asked: number[] = [];
    const reopened = await openTestSession(cleanup, parent, {
      configuration,
      credentials: (task) => {
        asked.push(task.taskIdentifier);
        return secrets;
      },
    });
    const later = reopened.tasks().find((task) => task.info().state !== 'completed');
    expect(later).toBeDefined();
    await later?.resume();
    expect((await within(later?.outcome() ?? Promise.reject(new Error('no task')), 5_000, 'the relaunched task')).phase).toBe('succeeded');
    expect(asked).toContain(later?.taskIdentifier);
    expect(server.requests.at(-1)?.headers.authorization).toBe(secrets.authorization);
    await reopened.close();

    const entries = await entriesUnder(reopened.directory);
    const files = entries.filter((entry) => entry.isFile).map((entry) => entry.path);
    expect(files).toContain(join(reopened.directory, 'store', 'journal'));
    expect(await filesHoldingSecrets([...files, destination, join(parent, 'later.bin')])).toEqual([]);
  });

  it('every file and directory of the store is readable by its owner only', async () => {
    const session = await openTestSession(cleanup, parent, { configuration });
    await runWithCredentials(session);
    await session.close();
    const entries = await entriesUnder(session.directory);
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) expect({ path: entry.path, groupOrOther: (entry.mode & 0o077).toString(8) }).toEqual({ path: entry.path, groupOrOther: '0' });
  });

  it('an app that declares only its own sensitive header still never has the three credential headers written', async () => {
    // Listing x-api-key adds protection; it is not the opt-in (persistSensitiveHeaders) that
    // semantics section 7 names for writing Authorization, Cookie or Proxy-Authorization.
    const session = await openTestSession(cleanup, parent, { configuration: { sensitiveHeaders: ['x-api-key'], additionalHeaders: { authorization: secrets.authorization } } });
    await session.download({ url: `${server.origin}/file`, headers: secrets, resume: false });
    await session.close();
    const files = (await entriesUnder(session.directory)).filter((entry) => entry.isFile).map((entry) => entry.path);
    expect(await filesHoldingSecrets(files)).toEqual([]);
  });

  it('an app that opts in (persistSensitiveHeaders) finds its secrets in the store: the scan can see them', async () => {
    const session = await openTestSession(cleanup, parent, { configuration: { ...configuration, persistSensitiveHeaders: true } });
    await session.download({ url: `${server.origin}/file`, headers: secrets, resume: false });
    await session.close();
    const files = (await entriesUnder(session.directory)).filter((entry) => entry.isFile).map((entry) => entry.path);
    expect(await filesHoldingSecrets(files)).toEqual([join(session.directory, 'store', 'journal')]);
  });
});
