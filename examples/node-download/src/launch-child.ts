import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running launch of child.ts. */
export interface ChildLaunch {
  readonly pid: number | undefined;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves when the process has exited and its output is read. */
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const childPath = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * Starts child.ts with this process's own Node flags (the tsx loader and the `@bgsession/source`
 * condition scripts/with-tsx.mjs gave it), echoing each stdout line with `label` and handing it to `onLine`.
 * A child still running after `timeoutMs` is killed, so the example cannot hang.
 *
 * @example
 * ```ts
 * const child = launchChild(['download', dir, url, dest, log], 'launch 1', (line) => {});
 * const { code } = await child.exit;
 * ```
 */
export function launchChild(args: readonly string[], label: string, onLine: (line: string) => void, timeoutMs = 60_000): ChildLaunch {
  const child = spawn(process.execPath, [...process.execArgv, childPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const closed = new Promise<void>((done) => {
    createInterface({ input: child.stdout })
      .on('line', (line) => {
        lines.push(line);
        console.log(`  ${label} | ${line}`);
        onLine(line);
      })
      .on('close', done);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // Told to stop (scripts/with-tsx.mjs forwards SIGINT and SIGTERM), the example must not leave a child running.
  const stop = (signal: NodeJS.Signals): void => {
    child.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      done({ code, signal });
    });
    child.on('error', () => done({ code: null, signal: null }));
  });
  return {
    pid: child.pid,
    lines,
    exit: Promise.all([exited, closed]).then(([result]) => {
      clearTimeout(timer);
      return result;
    }),
    kill: (signal) => child.kill(signal),
  };
}
