import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBgSessionError, type FileLock, type FileSystem } from '@bgsession/core';
import { expectRejection } from '@bgsession/testing';
import { createNodeFileSystem } from './node-file-system.js';

// tsx is a root devDependency: resolved from here, it is found in the workspace root's node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const holderEntry = fileURLToPath(new URL('./lock-holder.fixture.ts', import.meta.url));
/** Starting Node with tsx takes about a second; a loaded CI machine gets ample room. */
const childTimeoutMs = 20_000;

let root: string;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bgsession-lock-'));
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map((child) => exited(child)));
  children.clear();
  await rm(root, { recursive: true, force: true });
});

function startHolder(path: string, platform: NodeJS.Platform, then: 'hold' | 'return'): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@bgsession/source', '--import', tsxLoader, holderEntry, path, platform, then], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  return child;
}

/** The child's first line of output, or a rejection with what it said when it ends or stalls first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(`no line within ${childTimeoutMs} ms`), childTimeoutMs);
    function fail(why: string): void {
      clearTimeout(timer);
      reject(new Error(`lock holder: ${why}; stdout: ${stdout}; stderr: ${stderr}`));
    }
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(stdout.slice(0, end));
      }
    });
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before a line`));
  });
}

/** Resolves with the exit code (or signal) once the child is gone; bounded. */
function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the child did not exit within ${childTimeoutMs} ms`)), childTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? '');
    });
  });
}

/** Takes the lock, retrying a few times over a few hundred ms while it reads as in use. */
async function lockSoon(fs: FileSystem, path: string): Promise<FileLock> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fs.lock(path);
    } catch (error) {
      if (!isBgSessionError(error, 'SessionInUse') || attempt >= 20) throw error;
      await delay(25);
    }
  }
}

const lockPlatforms: readonly NodeJS.Platform[] =
  process.platform === 'win32' ? ['win32'] : process.platform === 'linux' ? ['linux', 'darwin'] : [process.platform];

describe.each(lockPlatforms)('the lock with the rules of %s', (platform) => {
  it('C21 a second process gets SessionInUse while the owner lives, and takes the lock once the owner is SIGKILLed', async () => {
    const fs = createNodeFileSystem({ platform });
    const path = join(root, 'session');
    const holder = startHolder(path, platform, 'hold');
    expect(await firstLine(holder)).toBe('locked');

    await expectRejection(fs.lock(path), 'SessionInUse');

    holder.kill('SIGKILL');
    expect(await exited(holder)).toBe('SIGKILL');
    if (platform !== 'linux' && platform !== 'win32') {
      // What makes this case hard: the killed owner's socket file is still there.
      expect((await fs.lstat(join(path, '.lock.sock')))?.type).toBe('other');
    }
    const lock = await lockSoon(fs, path);
    await expectRejection(fs.lock(path), 'SessionInUse');
    await lock.release();
  });

  it('a held lock does not keep its process alive', async () => {
    const holder = startHolder(join(root, 'session'), platform, 'return');
    expect(await firstLine(holder)).toBe('locked');
    expect(await exited(holder)).toBe(0);
  });

  it('two spellings of one directory (a symbolic link) name one lock', async () => {
    const fs = createNodeFileSystem({ platform });
    await mkdir(join(root, 'real'));
    await symlink(join(root, 'real'), join(root, 'alias'));
    const lock = await fs.lock(join(root, 'real'));
    await expectRejection(fs.lock(join(root, 'alias')), 'SessionInUse');
    await lock.release();
  });

  it('a lock taken before its directory exists is the same lock once the directory is made', async () => {
    const fs = createNodeFileSystem({ platform });
    const path = join(root, 'later', 'session');
    const lock = await fs.lock(path);
    await mkdir(path, { recursive: true });
    await expectRejection(fs.lock(path), 'SessionInUse');
    await lock.release();
    await (await fs.lock(path)).release();
  });
});

describe.runIf(process.platform !== 'win32')('the socket-file lock', () => {
  it('directories whose socket paths would pass the Unix limit (about 104 bytes) keep locks of their own', async () => {
    // Node 20 cuts a long socket path silently, which would give both directories the same socket.
    const fs = createNodeFileSystem({ platform: 'darwin' });
    const stem = join(root, 'x'.repeat(Math.max(0, 110 - root.length)));
    const first = await fs.lock(`${stem}-first`);
    const second = await fs.lock(`${stem}-second`);
    await expectRejection(fs.lock(`${stem}-first`), 'SessionInUse');
    await first.release();
    await second.release();
  });

  it('a recovery guard left by an owner that died in it, with a stale socket file, does not block the lock', async () => {
    const fs = createNodeFileSystem({ platform: 'darwin' });
    const path = join(root, 'session');
    await mkdir(join(path, '.lock.d'), { recursive: true });
    const longAgo = new Date(Date.parse('2020-01-01T00:00:00Z'));
    await utimes(join(path, '.lock.d'), longAgo, longAgo);
    // Nothing listens on a plain file: a connection to it is refused, like one to a dead owner's socket.
    await writeFile(join(path, '.lock.sock'), '');
    const lock = await lockSoon(fs, path);
    await expectRejection(fs.lock(path), 'SessionInUse');
    await lock.release();
  });
});
