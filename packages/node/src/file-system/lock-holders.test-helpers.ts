// Child processes that hold locks, for the lock tests (faults.md C21): started with tsx, killed for
// real, every wait bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBgSessionError, type FileLock, type FileSystem } from '@bgsession/core';

// tsx is a root devDependency: resolved from here, it is found in the workspace root's node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const holderEntry = fileURLToPath(new URL('./lock-holder.fixture.ts', import.meta.url));
/** Starting Node with tsx takes about a second; a loaded CI machine gets ample room. */
const childTimeoutMs = 20_000;

/** The children started by {@link startHolder}, for {@link killHolders}. */
const children = new Set<ChildProcess>();

/**
 * Starts lock-holder.fixture.ts on `path` with `platform`'s rules. `wrapper` is a command the child
 * is run through (`['unshare', '--net']`: the child is exec'd by it, so its pid is the holder's).
 */
export function startHolder(
  path: string,
  platform: NodeJS.Platform,
  then: 'hold' | 'return',
  wrapper: readonly string[] = [],
): ChildProcess {
  const command = [...wrapper, process.execPath, '--conditions=@bgsession/source', '--import', tsxLoader, holderEntry, path, platform, then];
  const child = spawn(command[0] ?? process.execPath, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  return child;
}

/** SIGKILLs every child still running and waits for each to be gone (for afterEach). */
export async function killHolders(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map((child) => exited(child)));
  children.clear();
}

/** The child's first line of output, or a rejection with what it said when it ends or stalls first. */
export function firstLine(child: ChildProcess): Promise<string> {
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
export function exited(child: ChildProcess): Promise<number | string> {
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
export async function lockSoon(fs: FileSystem, path: string): Promise<FileLock> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fs.lock(path);
    } catch (error) {
      if (!isBgSessionError(error, 'SessionInUse') || attempt >= 20) throw error;
      await delay(25);
    }
  }
}

/**
 * The `unshare` options that run a command in new namespaces of `kinds` here (`--net`, `--mount`),
 * as root or, where the kernel allows it, in a user namespace; undefined when neither works (no
 * `unshare`, no privilege), so a test that needs them is skipped.
 */
export function unshareWrapper(kinds: readonly string[], probe: readonly string[] = ['true']): string[] | undefined {
  for (const user of [[], ['--map-root-user']]) {
    const wrapper = ['unshare', ...user, ...kinds];
    const result = spawnSync(wrapper[0] ?? 'unshare', [...wrapper.slice(1), ...probe], { stdio: 'ignore', timeout: 10_000 });
    if (result.status === 0) return wrapper;
  }
  return undefined;
}
