import type { TraceEntry } from '../trace/trace-entry.js';
import type { AttemptRecord, CrashRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';

/** What {@link checkRetrySafety} reads. */
export interface RetrySafetyInput {
  readonly attempts: readonly AttemptRecord[];
  readonly crashes: readonly CrashRecord[];
  readonly trace: { readonly entries: readonly TraceEntry[] };
  /** The URLs of the non-idempotent tasks (one task per URL), e.g. POSTs not marked idempotent. */
  readonly nonIdempotent: ReadonlySet<string>;
}

/**
 * #13 Only what may be retried is retried: a non-idempotent request that may have left (its
 * attempt failed with no response, or its host died during it) is never sent again, and one cut
 * by a host's death ends with `RequestInterrupted`.
 *
 * @example
 * ```ts
 * expect(checkRetrySafety({ attempts: world.log.attempts, crashes: world.log.crashes, trace: world.trace, nonIdempotent: new Set([url]) })).toEqual([]);
 * ```
 */
export function checkRetrySafety(input: RetrySafetyInput): Violation[] {
  const violations: Violation[] = [];
  for (const url of input.nonIdempotent) {
    const attempts = input.attempts.filter((attempt) => attempt.url === url);
    const cut = attempts.findIndex((attempt) => diedDuring(attempt, input.crashes) || (attempt.response === null && attempt.endStep !== null));
    const first = attempts[cut];
    if (first === undefined) continue;
    const again = attempts[cut + 1];
    if (again !== undefined) {
      violations.push({ invariant: 13, message: `the non-idempotent ${first.method} ${url} cut at t=${first.at} (generation ${first.generation}) was sent again at t=${again.at} (generation ${again.generation})` });
    }
    if (diedDuring(first, input.crashes)) {
      const ends = input.trace.entries.filter((entry) => entry.kind === 'delivered' && entry.type === 'taskDidComplete' && taskUrl(input.trace.entries, entry) === url);
      for (const end of ends) {
        if (end.kind === 'delivered' && end.error !== 'RequestInterrupted') {
          violations.push({ invariant: 13, message: `the ${first.method} ${url} cut by the host's death at t=${first.at} ended with ${end.error ?? 'success'}, not RequestInterrupted` });
        }
      }
    }
  }
  return violations;
}

function diedDuring(attempt: AttemptRecord, crashes: readonly CrashRecord[]): boolean {
  return crashes.some((crash) => crash.generation === attempt.generation && crash.step > attempt.step && (attempt.endStep === null || attempt.endStep > crash.step));
}

function taskUrl(entries: readonly TraceEntry[], delivered: TraceEntry): string | null {
  if (delivered.kind !== 'delivered') return null;
  const created = entries.find((entry) => entry.kind === 'created' && entry.session === delivered.session && entry.taskIdentifier === delivered.taskIdentifier);
  return created?.kind === 'created' ? created.url : null;
}
