import { BgSessionError, crashPoints, type CrashPoint, type Probe } from '@bgsession/core';

/** The environment variable {@link sigkillProbeFromEnvironment} reads: `<crash point>:<n>`. */
export const crashAtVariable = 'BGSESSION_CRASH_AT';

/** Where a {@link createSigkillProbe} kills its process. */
export interface SigkillProbeOptions {
  /** The crash point to die at. */
  readonly point: CrashPoint;
  /** Die at the n-th pass through it (1 = the first). */
  readonly pass: number;
  /** Called instead of the real SIGKILL (tests of the probe itself); default kills this process. */
  readonly kill?: () => void;
}

/** A {@link Probe} that kills its own process, and counts every point it was told of. */
export interface SigkillProbe extends Probe {
  /** Passes through each point so far. */
  counts(): Readonly<Record<CrashPoint, number>>;
}

/**
 * A probe for crash tests: the process SIGKILLs itself (no handler runs, no buffer is flushed,
 * exactly as when the OS kills it) at the `pass`-th time the code reaches `point`. Give it to
 * `openSession({ probe })` in a child process, and check after relaunching it that nothing was
 * lost. Without `point`, it only counts.
 *
 * @example
 * ```ts
 * import { createSigkillProbe, openSession } from '@bgsession/node';
 *
 * const probe = createSigkillProbe({ point: 'journal-append', pass: 3 });
 * const session = await openSession({ identifier: 'crash-test', probe });
 * ```
 */
export function createSigkillProbe(options?: SigkillProbeOptions): SigkillProbe {
  if (options !== undefined && (!crashPoints.includes(options.point) || !Number.isSafeInteger(options.pass) || options.pass < 1)) {
    throw new BgSessionError('InvalidArgument', `No crash point ${JSON.stringify(options.point)} pass ${String(options.pass)}: the point is one of ${crashPoints.join(', ')} and the pass a whole number from 1.`, { field: 'point' });
  }
  const counts = Object.fromEntries(crashPoints.map((point) => [point, 0])) as Record<CrashPoint, number>;
  const kill = options?.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  return {
    pass(point) {
      counts[point] += 1;
      if (options !== undefined && point === options.point && counts[point] === options.pass) kill();
    },
    counts: () => ({ ...counts }),
  };
}

/**
 * The probe {@link crashAtVariable} asks for (`BGSESSION_CRASH_AT=data-write:40` kills the process
 * at the 40th data write), or a counting probe when it is unset. A malformed value is
 * `InvalidArgument`, so a crash test never runs without its crash by mistake.
 *
 * @example
 * ```ts
 * import { openSession, sigkillProbeFromEnvironment } from '@bgsession/node';
 *
 * const session = await openSession({ identifier: 'crash-test', probe: sigkillProbeFromEnvironment() });
 * ```
 */
export function sigkillProbeFromEnvironment(environment: Readonly<Record<string, string | undefined>> = process.env): SigkillProbe {
  const value = environment[crashAtVariable];
  if (value === undefined || value === '') return createSigkillProbe();
  const match = /^([a-z-]+):(\d+)$/.exec(value);
  const point = match?.[1];
  if (match === null || point === undefined || !(crashPoints as readonly string[]).includes(point)) {
    throw new BgSessionError('InvalidArgument', `${crashAtVariable}=${JSON.stringify(value)} is not <crash point>:<n>, with the point one of ${crashPoints.join(', ')}.`, { field: crashAtVariable });
  }
  return createSigkillProbe({ point: point as CrashPoint, pass: Number(match[2]) });
}
