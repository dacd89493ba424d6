import { crashPoints } from '@bgsession/core';
import fc from 'fast-check';
import type { ServerFault } from '../servers/server-fault.js';
import type { ValidatorKind } from '../servers/sim-file-options.js';
import type { ScheduledFault } from '../world/world-types.js';

/** One file of a generated world: its size, how its server serves it, and its faults by attempt. */
export interface FileScenario {
  readonly length: number;
  readonly validator: ValidatorKind;
  readonly ranges: 'supported' | 'ignored';
  /** Server faults by the route's attempt index (1 for the first request). */
  readonly faults: Readonly<Record<number, readonly ServerFault[]>>;
  /**
   * When given (virtual ms), the app then cancels the file's task producing resume data and at once
   * downloads from that resume data (nothing happens when the task has ended or no bytes were kept).
   */
  readonly resumeDataAt?: number;
}

/** A generated world: everything a run needs, printable, and replayed exactly from itself. */
export interface WorldScenario {
  readonly seed: number;
  readonly files: readonly FileScenario[];
  readonly maxConnectionsPerHost: number;
  /** The session's resource timeout, ms, or null for the default (a week). */
  readonly timeoutForResource: number | null;
  readonly faults: readonly ScheduledFault[];
}

/** Options of {@link worldScenarioArbitrary}. */
export interface WorldScenarioOptions {
  /** The largest file, bytes (default 4 MiB; the smallest is 256 KiB). */
  readonly maxLength?: number;
  /** At most this many files (default 3). */
  readonly maxFiles?: number;
  /** Only these validators (default every kind, strong ETags most often). */
  readonly validators?: readonly ValidatorKind[];
  /** At least this many files (default 1). */
  readonly minFiles?: number;
  /** Puts a kill or power loss at a random moment between `from` and `to` (virtual ms) first. */
  readonly crash?: { readonly type: 'kill' | 'powerLoss'; readonly from: number; readonly to: number };
  /**
   * Also fills the disk for a while (default false: a journal append that meets ENOSPC leaves the
   * session's store failed until the app relaunches, which the core's regressions test shows).
   */
  readonly diskFull?: boolean;
  /** Generates no server faults (default false). */
  readonly compliantServers?: boolean;
  /** Every file answers its first request with these faults (then as generated). */
  readonly firstAttempt?: readonly ServerFault[];
  /** Only resource timeouts from this range, ms (default: the week of the defaults, or 5-60 s in one world of four). */
  readonly timeoutForResource?: { readonly min: number; readonly max: number };
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Arbitrary worlds for the invariants' property tests: 1-3 files of 256 KiB-4 MiB on one origin,
 * served with any validator, ranges honoured or ignored, with server faults by attempt (cuts,
 * 503s, resets, stalls, new versions, ignored ranges, a stale node's other version honestly
 * labelled), in one file of four a cancel into resume data and a download made from it, and a
 * fault schedule of kills and power losses at times or at the n-th pass through a crash point,
 * partitions, suspensions, wall-clock jumps and (when asked) a full disk. Shrinking drops faults
 * and files first.
 *
 * @example
 * ```ts
 * await fc.assert(fc.asyncProperty(worldScenarioArbitrary(), async (scenario) => {
 *   const { world } = await runWorldScenario(scenario);
 *   return world.violations({ settled: true }).length === 0;
 * }));
 * ```
 */
export function worldScenarioArbitrary(options: WorldScenarioOptions = {}): fc.Arbitrary<WorldScenario> {
  const maxLength = options.maxLength ?? 4 * MiB;
  const validators = options.validators ?? (['etag', 'etag', 'etag', 'lastModified', 'weakEtag', 'none'] as const);
  const serverFault = (length: number): fc.Arbitrary<ServerFault> =>
    fc.oneof(
      fc.record({ type: fc.constant('cut' as const), afterBytes: fc.integer({ min: 0, max: length }) }),
      fc.record({ type: fc.constant('status' as const), status: fc.constantFrom(500, 503), retryAfter: fc.constantFrom('1', '3', '30') }),
      fc.constant({ type: 'reset' } as const),
      fc.record({ type: fc.constant('stall' as const), afterBytes: fc.integer({ min: 0, max: length }) }),
      fc.constant({ type: 'newVersion' } as const),
      fc.constant({ type: 'ignoreRange' } as const),
      fc.constant({ type: 'otherVersion' } as const),
    );
  const file = fc.integer({ min: 256 * KiB, max: maxLength }).chain((length) =>
    fc.record({
      length: fc.constant(length),
      validator: fc.constantFrom(...validators),
      ranges: fc.constantFrom('supported', 'supported', 'supported', 'ignored'),
      resumeDataAt: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 20_000 }) }),
      faults: (options.compliantServers === true ? fc.constant({}) : fc.dictionary(fc.integer({ min: 1, max: 4 }).map(String), fc.array(serverFault(length), { minLength: 1, maxLength: 2 }), { maxKeys: 3 })).map(
        (faults): Record<string, readonly ServerFault[]> => (options.firstAttempt === undefined ? faults : { ...faults, 1: options.firstAttempt }),
      ),
    }).map(({ resumeDataAt, ...rest }): FileScenario => (resumeDataAt === undefined ? rest : { ...rest, resumeDataAt })),
  );
  const crash = options.crash;
  return fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    files: fc.array(file, { minLength: options.minFiles ?? 1, maxLength: Math.max(options.minFiles ?? 1, options.maxFiles ?? 3) }),
    maxConnectionsPerHost: fc.integer({ min: 1, max: 3 }),
    timeoutForResource:
      options.timeoutForResource === undefined
        ? fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 60_000 }) })
        : fc.integer(options.timeoutForResource),
    faults: fc
      .tuple(
        crash === undefined ? fc.constant([]) : fc.integer({ min: crash.from, max: crash.to }).map((at) => [{ type: crash.type, at }]),
        fc.array(scheduledFault(options.diskFull === true), { maxLength: 5 }),
      )
      .map(([first, rest]): ScheduledFault[] => [...first, ...rest]),
  });
}

/** One scheduled fault, within the first 20 s of virtual time, where the downloads run. */
function scheduledFault(diskFull: boolean): fc.Arbitrary<ScheduledFault> {
  const crash = fc.constantFrom('kill' as const, 'powerLoss' as const);
  const at = fc.integer({ min: 0, max: 20_000 });
  const span = (min: number, max: number) => fc.tuple(at, fc.integer({ min, max })).map(([from, length]) => ({ from, until: from + length }));
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ type: crash, at }) },
    { weight: 3, arbitrary: fc.record({ type: crash, point: fc.constantFrom(...crashPoints), pass: fc.integer({ min: 1, max: 8 }) }) },
    { weight: 1, arbitrary: span(500, 8_000).map((period) => ({ type: 'partition' as const, ...period })) },
    { weight: 1, arbitrary: span(500, 20_000).map((period) => ({ type: 'suspend' as const, ...period })) },
    { weight: diskFull ? 1 : 0, arbitrary: span(1_000, 10_000).map((period) => ({ type: 'diskFull' as const, ...period })) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('clockJump' as const), at, by: fc.integer({ min: -60_000, max: 60_000 }) }) },
  );
}
