import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crashPoints, type CrashPoint } from '@bgsession/core';

// tsx is a root devDependency: resolved from here, it is found in the workspace root's node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const childEntry = fileURLToPath(new URL('./crash-child.fixture.ts', import.meta.url));

/** How a launch is to die: not at all, at a crash point's n-th pass, some time after it opened, or when its POST reaches the server. */
export type KillPlan =
  | { readonly type: 'none' }
  | { readonly type: 'point'; readonly point: CrashPoint; readonly pass: number }
  | { readonly type: 'moment'; readonly delayMs: number }
  | { readonly type: 'post' };

/** How one launch of the crash child ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The probe's passes through each point, printed at a clean exit; null if it died. */
  readonly counts: Record<CrashPoint, number> | null;
  /** From the `opened` line to the exit, ms (null if it never opened). */
  readonly activeMs: number | null;
  /** Whether the harness had to kill it for outliving its time limit. */
  readonly timedOut: boolean;
}

/** A started launch: `kill` SIGKILLs it now (the harness's random moments, a POST in flight). */
export interface RunningChild {
  readonly exit: Promise<ChildExit>;
  kill(): void;
}

/** Children not yet reaped, so a failing test can kill them in afterEach. */
const live = new Set<ChildProcess>();

/**
 * SIGKILLs every crash child still running (call from afterEach / afterAll) and waits, bounded,
 * for them to be gone.
 *
 * @example
 * ```ts
 * afterEach(() => killAllCrashChildren());
 * ```
 */
export async function killAllCrashChildren(): Promise<void> {
  const children = [...live];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(done, 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
        }),
    ),
  );
}

/**
 * Starts crash-child.fixture.ts on `planPath` as launch `launch`, with `BGSESSION_CRASH_AT` set for
 * a point kill, and SIGKILLs it after `delayMs` from its `opened` line for a moment kill. A child
 * still running after `timeoutMs` is killed and reported as timed out.
 *
 * @example
 * ```ts
 * const { code, counts } = await launchCrashChild(planPath, 1, { type: 'none' }, 30_000).exit;
 * ```
 */
export function launchCrashChild(planPath: string, launch: number, kill: KillPlan, timeoutMs: number): RunningChild {
  const environment: Record<string, string | undefined> = { ...process.env, BGSESSION_CRASH_AT: kill.type === 'point' ? `${kill.point}:${kill.pass}` : '' };
  const child = spawn(process.execPath, ['--conditions=@bgsession/source', '--import', tsxLoader, childEntry, planPath, String(launch)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment,
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let openedAt: number | null = null;
  let timedOut = false;
  let momentTimer: ReturnType<typeof setTimeout> | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (openedAt === null && /^opened /m.test(stdout)) {
      openedAt = performance.now();
      if (kill.type === 'moment') momentTimer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    }
  });
  const limit = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exit = new Promise<ChildExit>((resolve) => {
    // 'close' comes after 'exit' and after the pipes are drained: every line the child wrote is in.
    child.once('close', (code, signal) => {
      clearTimeout(limit);
      clearTimeout(momentTimer);
      live.delete(child);
      const countsLine = /^counts (.*)$/m.exec(stdout)?.[1];
      resolve({
        code,
        signal,
        stdout,
        stderr,
        counts: countsLine === undefined ? null : parseCounts(countsLine),
        activeMs: openedAt === null ? null : performance.now() - openedAt,
        timedOut,
      });
    });
  });
  return { exit, kill: () => child.kill('SIGKILL') };
}

function parseCounts(text: string): Record<CrashPoint, number> {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(crashPoints.map((point) => [point, typeof parsed[point] === 'number' ? parsed[point] : 0])) as Record<CrashPoint, number>;
}
