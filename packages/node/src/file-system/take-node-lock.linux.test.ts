// The Linux lock across network namespaces and bind mounts (ADR 21). The tests that need `unshare`
// say so in their names and are skipped where it cannot make the namespace (no privilege).
import { lstat, mkdir, mkdtemp, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { exited, firstLine, killHolders, lockSoon, startHolder, unshareWrapper } from './lock-holders.test-helpers.js';
import { createNodeFileSystem } from './node-file-system.js';

const onLinux = process.platform === 'linux';
const inOtherNetwork = onLinux ? unshareWrapper(['--net']) : undefined;
const bindMount = ['sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'sh'];
const inOwnMounts = onLinux ? unshareWrapper(['--mount'], ['sh', '-c', 'mount --bind /tmp /tmp']) : undefined;

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bgsession-lock-'));
});

afterEach(async () => {
  await killHolders();
  await rm(root, { recursive: true, force: true });
});

/** A session path whose socket path passes the Unix limit (about 104 bytes) when `long`. */
function sessionPath(long: boolean): string {
  return long ? join(root, 'x'.repeat(Math.max(0, 120 - root.length)), 'session') : join(root, 'session');
}

describe.runIf(onLinux)('the lock with the rules of linux', () => {
  it.each([false, true])(
    'a taker that cannot see the abstract socket (as from another network namespace) is refused through the socket file in the directory (long path: %s)',
    async (long) => {
      const path = sessionPath(long);
      const lock = await createNodeFileSystem({ platform: 'linux' }).lock(path);
      expect((await lstat(join(path, '.lock.sock'))).isSocket()).toBe(true);
      if (!long) await expectRejection(createNodeFileSystem({ platform: 'darwin' }).lock(path), 'SessionInUse');
      await lock.release();
      await expect(lstat(join(path, '.lock.sock'))).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  it('a recovery guard left by a taker of this network namespace that died in it does not hold up the next taker', async () => {
    const fs = createNodeFileSystem({ platform: 'linux' });
    const path = join(root, 'session');
    await mkdir(path);
    // What a taker leaves when it is killed between taking the guard and listening: a fresh guard,
    // and a socket file nobody listens on (a plain file refuses connections the same way).
    await symlink(await readlink('/proc/self/ns/net'), join(path, '.lock.d'));
    await writeFile(join(path, '.lock.sock'), '');
    // No retries: a guard judged by its age alone would stop every taker for 10 s.
    const lock = await fs.lock(path);
    expect((await lstat(join(path, '.lock.sock'))).isSocket()).toBe(true);
    await expect(lstat(join(path, '.lock.d'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectRejection(createNodeFileSystem({ platform: 'darwin' }).lock(path), 'SessionInUse');
    await lock.release();
  });

  it('a recovery guard left by a taker of another network namespace that died in it is waited out (10 s), not taken for a live owner', { timeout: 60_000 }, async () => {
    const fs = createNodeFileSystem({ platform: 'linux' });
    const path = join(root, 'session');
    await mkdir(path);
    // As above, but the guard names a namespace this process is not in: only its age can clear it.
    await symlink('net:[4026599999]', join(path, '.lock.d'));
    await writeFile(join(path, '.lock.sock'), '');
    const lock = await fs.lock(path);
    expect((await lstat(join(path, '.lock.sock'))).isSocket()).toBe(true);
    await lock.release();
  });

  it.runIf(inOtherNetwork !== undefined).each([false, true])(
    'needs unshare --net: an owner in another network namespace (another container on one volume) refuses this one, both ways, and frees the lock when SIGKILLed (long path: %s)',
    async (long) => {
      const fs = createNodeFileSystem({ platform: 'linux' });
      const path = sessionPath(long);
      const holder = startHolder(path, 'linux', 'hold', inOtherNetwork);
      expect(await firstLine(holder)).toBe('locked');
      await expectRejection(fs.lock(path), 'SessionInUse');

      holder.kill('SIGKILL');
      expect(await exited(holder)).toBe('SIGKILL');
      const lock = await lockSoon(fs, path);

      const taker = startHolder(path, 'linux', 'return', inOtherNetwork);
      expect(await firstLine(taker)).toMatch(/^failed .*locked by a live owner/);
      await lock.release();
    },
  );

  it.runIf(inOtherNetwork !== undefined)(
    'needs unshare --net: of two processes relaunched at once in two network namespaces after the owner is SIGKILLed, exactly one takes the lock',
    async () => {
      const path = join(root, 'session');
      const holder = startHolder(path, 'linux', 'hold');
      expect(await firstLine(holder)).toBe('locked');
      holder.kill('SIGKILL');
      expect(await exited(holder)).toBe('SIGKILL');

      const takers = [startHolder(path, 'linux', 'hold'), startHolder(path, 'linux', 'hold', inOtherNetwork)];
      const said = (await Promise.all(takers.map((taker) => firstLine(taker)))).sort();
      expect(said[0]).toMatch(/^failed .*locked by a live owner/);
      expect(said[1]).toBe('locked');
    },
  );

  it.runIf(inOwnMounts !== undefined)(
    'needs unshare --mount: an owner that reaches the directory through a bind mount refuses one that reaches it by its own path, even without its socket file, and frees the lock when SIGKILLed',
    async () => {
      const fs = createNodeFileSystem({ platform: 'linux' });
      await mkdir(join(root, 'real'));
      await mkdir(join(root, 'bound'));
      const wrapper = [...(inOwnMounts ?? []), ...bindMount, join(root, 'real'), join(root, 'bound')];
      const holder = startHolder(join(root, 'bound', 'session'), 'linux', 'hold', wrapper);
      expect(await firstLine(holder)).toBe('locked');
      await expectRejection(fs.lock(join(root, 'real', 'session')), 'SessionInUse');
      // The abstract socket alone, named for the directory and not its path, still refuses (what is
      // left on a file system that holds no socket files, or once a tidy-up deletes the file).
      await unlink(join(root, 'real', 'session', '.lock.sock'));
      await expectRejection(fs.lock(join(root, 'real', 'session')), 'SessionInUse');

      holder.kill('SIGKILL');
      expect(await exited(holder)).toBe('SIGKILL');
      await (await lockSoon(fs, join(root, 'real', 'session'))).release();
    },
  );
});
