import { spawn, type ChildProcess } from 'node:child_process';

/** How a command ended. */
export interface CommandExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program without blocking this process's event loop (the benchmark's servers live in it),
 * killing it after `timeoutMs`.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCommand('curl', ['-sS', '-o', '/dev/null', url]);
 * ```
 */
export function runCommand(command: string, args: readonly string[], options: { readonly timeoutMs?: number; readonly onSpawn?: (child: ChildProcess) => void } = {}): Promise<CommandExit> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => void (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  return new Promise((done) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      done({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Whether a program can be run (`<command> --version` exits 0): curl and wget are here, aria2c may
 * not be.
 *
 * @example
 * ```ts
 * if (!(await hasCommand('aria2c'))) notes.push('aria2c: not installed');
 * ```
 */
export async function hasCommand(command: string): Promise<boolean> {
  const exit = await runCommand(command, ['--version'], { timeoutMs: 10_000 });
  return exit.code === 0;
}
