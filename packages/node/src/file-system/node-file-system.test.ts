import { chmod, link, lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { errnoCodeOf } from './file-system-error.js';
import { createNodeFileSystem } from './node-file-system.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const onWindows = process.platform === 'win32';
// Root reads and writes through any mode, so a mode-based refusal cannot be produced as root.
const asRoot = process.getuid?.() === 0;

let root: string;
const fs = createNodeFileSystem();

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bgsession-fs-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('open never follows a symbolic link at the last component', () => {
  it.skipIf(onWindows)('refuses a link to a file with PermissionDenied, for every mode, and leaves the target alone', async () => {
    const target = join(root, 'target');
    await writeFile(target, 'secret');
    const trap = join(root, 'trap');
    await symlink(target, trap);
    for (const options of [{ mode: 'r' }, { mode: 'rw' }, { mode: 'a' }, { mode: 'rw', create: true }] as const) {
      const error = await expectRejection(fs.open(trap, options), 'PermissionDenied');
      expect(error.path).toBe(trap);
    }
    expect(await readFile(target, 'utf8')).toBe('secret');
  });

  it.skipIf(onWindows)('refuses a dangling link with create instead of creating its target', async () => {
    const trap = join(root, 'trap');
    await symlink(join(root, 'elsewhere'), trap);
    await expectRejection(fs.open(trap, { mode: 'rw', create: true }), 'PermissionDenied');
    expect(await fs.lstat(join(root, 'elsewhere'))).toBeNull();
  });
});

describe.skipIf(onWindows)('E28 what bgsession makes is the owner\'s alone', () => {
  it('files are created with mode 0600', async () => {
    const path = join(root, 'journal');
    await (await fs.open(path, { mode: 'a', create: true })).close();
    expect((await lstat(path)).mode & 0o777).toBe(0o600);
  });

  it('directories, and every missing parent, are made with mode 0700', async () => {
    await fs.mkdir(join(root, 'sessions', 'app'));
    expect((await lstat(join(root, 'sessions'))).mode & 0o777).toBe(0o700);
    expect((await lstat(join(root, 'sessions', 'app'))).mode & 0o777).toBe(0o700);
  });
});

describe('errors carry the codes of the port', () => {
  it('an exclusive create over an existing file is DestinationExists with the path', async () => {
    const path = join(root, 'taken');
    await writeFile(path, 'kept');
    const error = await expectRejection(fs.open(path, { mode: 'rw', create: true, exclusive: true }), 'DestinationExists');
    expect(error.path).toBe(path);
  });

  it('opening a missing file is StoreFailed, with the ENOENT kept as the cause', async () => {
    const error = await expectRejection(fs.open(join(root, 'missing'), { mode: 'r' }), 'StoreFailed');
    expect(errnoCodeOf(error.cause)).toBe('ENOENT');
  });

  it('writing through a read-only handle is PermissionDenied', async () => {
    const path = join(root, 'f');
    await writeFile(path, 'abc');
    const handle = await fs.open(path, { mode: 'r' });
    await expectRejection(handle.write(bytes('x'), 0), 'PermissionDenied');
    await expectRejection(handle.truncate(0), 'PermissionDenied');
    await handle.close();
    expect(await readFile(path, 'utf8')).toBe('abc');
  });

  it.skipIf(onWindows || asRoot)('opening a file the mode forbids is PermissionDenied', async () => {
    const path = join(root, 'read-only');
    await writeFile(path, 'abc');
    await chmod(path, 0o400);
    await expectRejection(fs.open(path, { mode: 'rw' }), 'PermissionDenied');
  });

  it('a relative path is refused instead of resolved against the working directory', async () => {
    await expectRejection(fs.open('relative/file', { mode: 'rw', create: true }), 'StoreFailed');
    await expectRejection(fs.mkdir('relative'), 'StoreFailed');
  });

  it('syncing a missing directory is StoreFailed', async () => {
    await expectRejection(fs.fsyncDir(join(root, 'missing')), 'StoreFailed');
  });
});

describe('handles', () => {
  it("a read-write handle's append writes at the end, wherever the last write was", async () => {
    const path = join(root, 'f');
    const handle = await fs.open(path, { mode: 'rw', create: true });
    await handle.write(bytes('0123456789'), 0);
    await handle.write(bytes('ab'), 2);
    await handle.write(bytes('!'), 'append');
    await handle.close();
    expect(await readFile(path, 'utf8')).toBe('01ab456789!');
  });

  it('a read past the end returns what is there', async () => {
    const path = join(root, 'f');
    await writeFile(path, 'abc');
    const handle = await fs.open(path, { mode: 'r' });
    expect(new TextDecoder().decode(await handle.read(1, 100))).toBe('bc');
    expect((await handle.read(10, 5)).length).toBe(0);
    await handle.close();
  });
});

describe('lstat', () => {
  it.skipIf(onWindows)('reports a symbolic link as one, without following it', async () => {
    await writeFile(join(root, 'target'), 'abc');
    await symlink(join(root, 'target'), join(root, 'link'));
    expect((await fs.lstat(join(root, 'link')))?.type).toBe('symlink');
  });

  it('gives two names of one file the same identity, and another file another one', async () => {
    await writeFile(join(root, 'a'), 'abc');
    await writeFile(join(root, 'b'), 'abc');
    await link(join(root, 'a'), join(root, 'a2'));
    const [a, a2, b] = await Promise.all(['a', 'a2', 'b'].map((name) => fs.lstat(join(root, name))));
    expect(a?.identity).not.toBeNull();
    expect(a2?.identity).toBe(a?.identity);
    expect(b?.identity).not.toBe(a?.identity);
  });

  it('is null under a path whose parent is a file', async () => {
    await writeFile(join(root, 'file'), 'abc');
    expect(await fs.lstat(join(root, 'file', 'child'))).toBeNull();
  });
});

describe('bootIdentity', () => {
  it.runIf(process.platform === 'linux')("is the kernel's boot id on Linux", async () => {
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    expect(await fs.bootIdentity()).toBe(bootId);
  });

  it('is the boot time to the minute elsewhere', async () => {
    const identity = Number(await createNodeFileSystem({ platform: 'darwin' }).bootIdentity());
    expect(identity % 60_000).toBe(0);
    expect(Math.abs(identity - (Date.now() - uptime() * 1000))).toBeLessThanOrEqual(60_000);
  });
});
