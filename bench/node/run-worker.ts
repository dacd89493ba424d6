import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What {@link runWorker} takes besides the file and its arguments. */
export interface RunWorkerOptions {
  /** Killed (SIGKILL) after this long: a benchmark never hangs (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Told once the child is started (B4 keeps it to kill it). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Told each stdout line as it comes. */
  readonly onLine?: (line: string) => void;
}

/** How a worker ended: its exit, its stdout lines and stderr, and its last line parsed as JSON. */
export interface WorkerExit<T> {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: readonly string[];
  readonly stderr: string;
  /** The last stdout line as JSON, or null when it was not (a killed worker prints none). */
  readonly result: T | null;
}

/**
 * The path of a worker file beside the caller, for {@link runWorker}.
 *
 * @example
 * ```ts
 * const worker = workerPath(import.meta.url, './download-worker.ts');
 * ```
 */
export function workerPath(base: string, relative: string): string {
  return fileURLToPath(new URL(relative, base));
}

/**
 * Runs a TypeScript worker in its own process with this process's Node flags (the tsx loader, the
 * `@bgsession/source` condition, `--expose-gc`, as bench/run.mjs gave them), without blocking this
 * process's event loop: the servers the benchmark runs here keep serving while it waits.
 *
 * @example
 * ```ts
 * const { result } = await runWorker<{ ms: number }>(worker, ['bgsession', url, destination]);
 * ```
 */
export function runWorker<T>(file: string, args: readonly string[], options: RunWorkerOptions = {}): Promise<WorkerExit<T>> {
  const child = spawn(process.execPath, [...process.execArgv, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const parts = (pending + text).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      options.onLine?.(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => void (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending !== '') lines.push(pending);
      let result: T | null = null;
      try {
        result = JSON.parse(lines.at(-1) ?? '') as T;
      } catch {
        result = null;
      }
      done({ code, signal, lines, stderr, result });
    });
  });
}

/**
 * {@link runWorker}, for a worker that must succeed: its result, or an error with its stderr.
 *
 * @example
 * ```ts
 * const figures = await runWorkerResult<DownloadFigures>(worker, ['got-stream', url, destination]);
 * ```
 */
export async function runWorkerResult<T>(file: string, args: readonly string[], options: RunWorkerOptions = {}): Promise<T> {
  const exit = await runWorker<T>(file, args, options);
  if (exit.code !== 0 || exit.result === null) {
    throw new Error(`worker ${file} ${args.join(' ')} failed (${exit.signal ?? `exit ${String(exit.code)}`}):\n${exit.stderr.slice(-4000)}${exit.lines.slice(-5).join('\n')}`);
  }
  return exit.result;
}
