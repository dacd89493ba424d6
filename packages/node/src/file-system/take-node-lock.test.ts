import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { exited, firstLine, killHolders, lockSoon, startHolder } from './lock-holders.test-helpers.js';
import { createNodeFileSystem } from './node-file-system.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bgsession-lock-'));
});

afterEach(async () => {
  await killHolders();
  await rm(root, { recursive: true, force: true });
});

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
    if (platform !== 'win32') {
      // What makes this case hard: the killed owner's socket file is still there (on Linux too,
      // beside the abstract socket: ADR 21).
      expect((await fs.lstat(join(path, '.lock.sock')))?.type).toBe('other');
    }
    const lock = await lockSoon(fs, path);
    await expectRejection(fs.lock(path), 'SessionInUse');
    await lock.release();
  });

  it('C21 two processes relaunched at once after the owner is SIGKILLed: exactly one takes the lock', async () => {
    const path = join(root, 'session');
    const holder = startHolder(path, platform, 'hold');
    expect(await firstLine(holder)).toBe('locked');
    holder.kill('SIGKILL');
    expect(await exited(holder)).toBe('SIGKILL');

    const takers = [startHolder(path, platform, 'hold'), startHolder(path, platform, 'hold')];
    const said = (await Promise.all(takers.map((taker) => firstLine(taker)))).sort();
    expect(said[0]).toMatch(/^failed .*locked by a live owner/);
    expect(said[1]).toBe('locked');
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
