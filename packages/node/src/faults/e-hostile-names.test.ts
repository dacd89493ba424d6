import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IfExists } from '@bgsession/core';
import { createCleanup, openTestSession, scratchDirectory, startRecordingServer, until, within, type RecordingServer } from './hostile-servers.test-helpers.js';
import type { NodeSession } from '../host/open-session.js';

// faults.md E25 and invariant #20 on the real Node adapter: names a server suggests never leave the
// app's directory, nothing there is overwritten unless ifExists says so, and links planted in the
// store are not followed.

const dispositions = [
  'attachment; filename="../../x"',
  'attachment; filename="/etc/passwd"',
  'attachment; filename="C:\\\\x"',
  'attachment; filename=..\\..\\x',
  'attachment; filename="."',
  'attachment; filename=".."',
  'attachment; filename=""',
  'attachment; filename="CON"',
  'attachment; filename="nul.txt"',
  "attachment; filename*=UTF-8''a%00b",
  "attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe",
  `attachment; filename="${'a'.repeat(296)}.txt"`,
  "attachment; filename*=UTF-8''..%2F..%2Fx",
  "attachment; filename*=UTF-8''%2Fetc%2Fpasswd; filename=\"../x\"",
];

const urlNames = ['..%2F..%2Fx', '%2e%2e', '..%5C..%5Cx', '', '%00', 'CON', 'b'.repeat(300), '%E2%80%AE', 'C%3A%5Cx', '%2Fetc%2Fpasswd'];

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

async function filesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}

/** A name that is one harmless component: what #20 needs of whatever the sanitiser chose. */
function expectSafeName(name: string): void {
  expect(name).not.toMatch(/[/\\\0\u202e]/);
  expect(name).not.toMatch(/^[.\s]/);
  expect(name.split('.')[0]).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  expect(name.length).toBeGreaterThan(0);
}

describe('E25: hostile file names with a directory destination', () => {
  const cleanup = createCleanup();
  let parent: string;
  let downloads: string;
  let server: RecordingServer;
  let session: NodeSession;
  let served = 0;

  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    downloads = join(parent, 'outer', 'inner', 'downloads');
    await mkdir(downloads, { recursive: true });
    server = await startRecordingServer(cleanup, (request, response) => {
      served += 1;
      const url = request.url ?? '';
      const index = /^\/cd\/(\d+)\?/.exec(url);
      const body = `${/[?&](c=\d+)/.exec(url)?.[1] ?? url} #${served}`;
      const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(body)) };
      if (index !== null) headers['content-disposition'] = dispositions[Number(index[1])] ?? '';
      response.writeHead(200, headers).end(body);
    });
    locationsById.clear();
    session = await openTestSession(cleanup, parent, {
      listener: { downloadDidFinish: (event) => void locationsById.set(event.task.taskIdentifier, event.location) },
    });
  });
  afterEach(() => cleanup.run());

  /** Where each download went, as its downloadDidFinish said (delivered just after the end commit). */
  const locationsById = new Map<number, string>();
  async function locationOf(id: number): Promise<string> {
    await until(() => locationsById.has(id), 5_000, `downloadDidFinish of task ${id}`);
    return locationsById.get(id) ?? '';
  }

  async function download(path: string, ifExists: IfExists) {
    const task = await session.download({ url: `${server.origin}${path}`, destination: { type: 'directory', directory: downloads, ifExists } });
    return within(task.outcome(), 5_000, `the download of ${path}`);
  }

  it('every file lands directly inside the directory under a safe name; nothing outside changes', async () => {
    const victims = [join(parent, 'x'), join(parent, 'outer', 'x'), join(parent, 'outer', 'inner', 'x')];
    for (const victim of victims) await writeFile(victim, 'victim');
    const passwd = await readFile('/etc/passwd').catch(() => null);
    const paths = [...dispositions.map((_, index) => `/cd/${index}`), ...urlNames.map((name) => `/u/${name}`)].map((path, index) => `${path}?c=${index}`);
    const locations: string[] = [];
    for (const path of paths) {
      const outcome = await download(path, 'rename');
      expect(outcome.phase, path).toBe('succeeded');
      const location = await locationOf(outcome.task.taskIdentifier);
      expect(dirname(location), path).toBe(downloads);
      expectSafeName(basename(location));
      expect(await readFile(location, 'utf8')).toMatch(new RegExp(`^${/c=\d+/.exec(path)?.[0] ?? ''} #\\d+$`));
      locations.push(location);
    }
    expect(new Set(locations).size).toBe(paths.length);
    for (const victim of victims) expect(await readFile(victim, 'utf8')).toBe('victim');
    if (passwd !== null) expect(sha256(await readFile('/etc/passwd'))).toBe(sha256(passwd));
    // Every file the library wrote outside its own store is one of those locations.
    const store = join(parent, 'session') + sep;
    const written = (await filesUnder(parent)).filter((file) => !file.startsWith(store) && !victims.includes(file));
    expect(written.sort()).toEqual([...locations].sort());
  });

  it('a name already there is kept unless ifExists says otherwise: fail, rename, replace', async () => {
    const hostile = '/cd/0?c=0';
    const first = await download(hostile, 'fail');
    expect(first.phase).toBe('succeeded');
    const location = await locationOf(first.task.taskIdentifier);
    const original = await readFile(location, 'utf8');

    const refused = await download(hostile, 'fail');
    expect(refused.phase).toBe('failed');
    expect(refused.error?.code).toBe('DestinationExists');
    expect(await readFile(location, 'utf8')).toBe(original);

    const renamed = await download(hostile, 'rename');
    const renamedAt = await locationOf(renamed.task.taskIdentifier);
    expect(renamedAt).not.toBe(location);
    expect(dirname(renamedAt)).toBe(downloads);
    expect(await readFile(location, 'utf8')).toBe(original);

    const replaced = await download(hostile, 'replace');
    expect(await locationOf(replaced.task.taskIdentifier)).toBe(location);
    expect(await readFile(location, 'utf8')).not.toBe(original);
    expect(await readdir(downloads)).toHaveLength(2);
  });

  it('a link planted at the name in the directory is replaced or refused, never followed', async () => {
    const victim = join(parent, 'victim.txt');
    await writeFile(victim, 'victim');
    await symlink(victim, join(downloads, 'plain.txt'));
    const refused = await download('/u/plain.txt', 'fail');
    expect(refused.error?.code).toBe('DestinationExists');
    const replaced = await download('/u/plain.txt', 'replace');
    expect(replaced.phase).toBe('succeeded');
    expect((await lstat(join(downloads, 'plain.txt'))).isFile()).toBe(true);
    expect(await readFile(victim, 'utf8')).toBe('victim');
  });
});

describe("E25: a path destination with ifExists left out is 'fail', checked at creation and again at the hand-over", () => {
  const cleanup = createCleanup();
  let parent: string;
  let server: RecordingServer;
  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    server = await startRecordingServer(cleanup, (_request, response) => response.writeHead(200, { 'content-length': '7' }).end('payload'));
  });
  afterEach(() => cleanup.run());

  it('a file already at the path: download() rejects with DestinationExists before any request, and the file is kept', async () => {
    const path = join(parent, 'report.pdf');
    await writeFile(path, 'mine');
    const session = await openTestSession(cleanup, parent);
    const refused = await session.download({ url: `${server.origin}/report.pdf`, destination: { type: 'path', path } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'DestinationExists', path });
    expect(server.requests).toEqual([]);
    expect(session.tasks()).toEqual([]);
    expect(await readFile(path, 'utf8')).toBe('mine');
  });

  it('a path the platform cannot use (a name of 300 bytes): download() rejects with InvalidArgument naming destination, before any request', async () => {
    const session = await openTestSession(cleanup, parent);
    const refused = await session.download({ url: `${server.origin}/report.pdf`, destination: { type: 'path', path: join(parent, 'r'.repeat(300)) } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'InvalidArgument', field: 'destination' });
    expect(server.requests).toEqual([]);
    expect(session.tasks()).toEqual([]);
  });

  it('a destination in a directory that does not exist: download() rejects with InvalidArgument naming destination, before any request', async () => {
    const session = await openTestSession(cleanup, parent);
    const missing = join(parent, 'no-such-directory');
    for (const destination of [
      { type: 'path', path: join(missing, 'report.pdf') },
      { type: 'directory', directory: missing },
    ] as const) {
      const refused = await session.download({ url: `${server.origin}/report.pdf`, destination }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'InvalidArgument', field: 'destination', path: missing });
    }
    expect(server.requests).toEqual([]);
    expect(session.tasks()).toEqual([]);
  });

  it('a directory removed after a download into it was checked: the next task fails at the hand-over, and the one after is refused at once', async () => {
    const session = await openTestSession(cleanup, parent);
    const out = join(parent, 'out');
    await mkdir(out);
    await session.download({ url: `${server.origin}/a.pdf`, destination: { type: 'path', path: join(out, 'a.pdf') }, resume: false });
    await rm(out, { recursive: true });
    // The directory was found once: the check does not look again (one lstat per directory).
    const late = await session.download({ url: `${server.origin}/b.pdf`, destination: { type: 'path', path: join(out, 'b.pdf') } });
    expect(await within(late.outcome(), 5_000, 'the download to end')).toMatchObject({ phase: 'failed', error: { code: 'PermissionDenied' } });
    const refused = await session.download({ url: `${server.origin}/c.pdf`, destination: { type: 'path', path: join(out, 'c.pdf') } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'InvalidArgument', field: 'destination', path: out });
  });

  it('a file that appears at the path during the download: the task fails with DestinationExists, and that file is kept', async () => {
    const path = join(parent, 'report.pdf');
    const session = await openTestSession(cleanup, parent);
    const task = await session.download({ url: `${server.origin}/report.pdf`, destination: { type: 'path', path }, resume: false });
    await writeFile(path, 'mine');
    await task.resume();
    const outcome = await within(task.outcome(), 5_000, 'the download to end');
    expect(outcome).toMatchObject({ phase: 'failed', error: { code: 'DestinationExists' } });
    expect(server.requests).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe('mine');
  });
});

describe('E25 / #20: links planted in the store are not followed', () => {
  const cleanup = createCleanup();
  let parent: string;
  let victim: string;
  let server: RecordingServer;
  beforeEach(async () => {
    parent = await scratchDirectory(cleanup);
    victim = join(parent, 'victim.txt');
    await writeFile(victim, 'victim');
    server = await startRecordingServer(cleanup, (_request, response) => response.writeHead(200, { 'content-length': '7' }).end('payload'));
  });
  afterEach(() => cleanup.run());

  /** Plants a link to the victim where the store will put task `id`'s bytes, then runs the task. */
  async function runWithLinkAt(at: (id: number) => string) {
    const delivered: { location: string; isFile: boolean; content: string }[] = [];
    const session = await openTestSession(cleanup, parent, {
      listener: {
        // Read at delivery: an in-store location is deleted once this handler returns.
        downloadDidFinish: async (event) => {
          const isFile = (await lstat(event.location)).isFile();
          delivered.push({ location: event.location, isFile, content: await readFile(event.location, 'utf8') });
        },
      },
    });
    const task = await session.download({ url: `${server.origin}/file.bin`, resume: false });
    const link = join(session.directory, 'bytes', at(task.taskIdentifier));
    await mkdir(dirname(link), { recursive: true });
    await symlink(victim, link);
    await task.resume();
    const ended = await within(
      task.outcome().catch((error: unknown) => error),
      5_000,
      'the download to end',
    );
    return { session, ended, delivered };
  }

  it.each([
    ['the in-store hand-over location', (id: number) => join('finished', `part-${id}`)],
    ['the hand-over marker', (id: number) => join('handovers', `part-${id}.json`)],
  ])('a link at %s is replaced, not followed: the download succeeds and the victim is untouched', async (_where, at) => {
    const { ended, delivered } = await runWithLinkAt(at);
    expect(ended).toMatchObject({ phase: 'succeeded' });
    await until(() => delivered.length > 0, 5_000, 'downloadDidFinish');
    expect(delivered).toEqual([{ location: expect.stringContaining(join('bytes', 'finished')) as string, isFile: true, content: 'payload' }]);
    expect(await readFile(victim, 'utf8')).toBe('victim');
    expect((await lstat(victim)).isFile()).toBe(true);
  });

  it('a link at the part file is never written through', async () => {
    await runWithLinkAt((id) => join('parts', `part-${id}`));
    expect(await readFile(victim, 'utf8')).toBe('victim');
  });

  it('a link at the part file fails that task only; the session stays usable', async () => {
    const { session, ended } = await runWithLinkAt((id) => join('parts', `part-${id}`));
    // A planted link is hostile input, not a broken disk: it must not take the session down
    // (the task would meet the same link after every reopen).
    expect(ended).toMatchObject({ phase: 'failed', error: { code: 'PermissionDenied' } });
    await expect(session.download({ url: `${server.origin}/other.bin`, resume: false })).resolves.toBeDefined();
  });
});
