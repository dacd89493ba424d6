import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../model/attempt-outcome.js';
import type { RetryPolicy } from '../model/configuration.js';
import type { AttemptAccount } from '../model/task-types.js';
import { accountAttempt, freeRestartsInARow } from './attempt-accounting.js';
import { backoffDelay } from './backoff-delay.js';

const runs = Number(process.env.BGSESSION_PROPERTY_RUNS ?? 100);

/** What the Random port yields: [0, 1). fc.double favours edge values (0, tiny, just below 1). */
const drawArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
/** Uniform draws, as a real Random port gives them (32 random bits), for the spread checks. */
const uniformDrawArb = fc.noBias(fc.integer({ min: 0, max: 2 ** 32 - 1 })).map((bits) => bits / 2 ** 32);
const policyArb: fc.Arbitrary<RetryPolicy> = fc.record({
  base: fc.integer({ min: 1, max: 60_000 }),
  cap: fc.integer({ min: 0, max: 24 * 3600 * 1000 }),
  maxAttempts: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
});
const exponentArb = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 100_000 }));

/** The delay of semantics section 4, written independently: full jitter over min(cap, base * 2^n). */
function referenceDelay(exponent: number, draw: number, policy: RetryPolicy): number {
  // Past 2^60 every ceiling is the cap; BigInt keeps the small cases exact.
  const ceiling = exponent > 60 ? policy.cap : Math.min(policy.cap, Number(BigInt(policy.base) * 2n ** BigInt(exponent)));
  return Math.floor(draw * ceiling);
}

/**
 * Whether a delay function spreads retries: over `draws`, no single delay takes more than 5% of
 * them, and there are at least a quarter as many distinct delays as there could be. So 100 tasks
 * that failed together do not all come back in the same millisecond (fault B14).
 */
function spreadsRetries(delayOf: (draw: number) => number, draws: readonly number[], ceiling: number): boolean {
  const counts = new Map<number, number>();
  for (const draw of draws) {
    const delay = delayOf(draw);
    counts.set(delay, (counts.get(delay) ?? 0) + 1);
  }
  const largestShare = Math.max(...counts.values()) / draws.length;
  return largestShare <= 0.05 && counts.size >= 0.25 * Math.min(draws.length, ceiling);
}

const defaultRetry: RetryPolicy = { base: 1000, cap: 600_000, maxAttempts: null };
const seededDraws = (seed: number): number[] => fc.sample(uniformDrawArb, { seed, numRuns: 1000 });

describe('backoffDelay properties', () => {
  it('#10 retries follow the policy: each delay equals the delay derived from the draw', () => {
    fc.assert(
      fc.property(exponentArb, fc.oneof(drawArb, uniformDrawArb), policyArb, (exponent, draw, policy) => {
        const delay = backoffDelay(exponent, draw, policy);
        expect(delay).toBe(referenceDelay(exponent, draw, policy));
        expect(Number.isSafeInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(policy.cap);
      }),
      { numRuns: runs },
    );
  });

  it('#10 retries follow the policy: B14 delays over 1000 seeded draws are spread for every exponent', () => {
    const draws = seededDraws(20_240_601);
    for (let exponent = 0; exponent <= 12; exponent += 1) {
      const ceiling = Math.min(defaultRetry.cap, defaultRetry.base * 2 ** exponent);
      expect(spreadsRetries((draw) => backoffDelay(exponent, draw, defaultRetry), draws, ceiling)).toBe(true);
    }
  });

  it('#10 retries follow the policy: B14 100 tasks failing together do not all retry in the same millisecond', () => {
    const draws = seededDraws(7).slice(0, 100);
    const delays = new Set(draws.map((draw) => backoffDelay(0, draw, defaultRetry)));
    expect(delays.size).toBeGreaterThan(50);
  });

  it('the spread check fails a policy that always retries at once', () => {
    const draws = seededDraws(20_240_601);
    expect(spreadsRetries(() => 0, draws, 1000)).toBe(false);
  });

  it('the spread check fails a policy without jitter', () => {
    const draws = seededDraws(20_240_601);
    expect(spreadsRetries(() => 1000, draws, 1000)).toBe(false);
  });
});

const outcomeArb: fc.Arbitrary<AttemptOutcome> = fc.oneof(
  fc.constant<AttemptOutcome>({ type: 'retryable' }),
  fc.constant<AttemptOutcome>({ type: 'final' }),
  fc.constantFrom<AttemptOutcome>({ type: 'offline', reason: 'connectivity' }, { type: 'offline', reason: 'constraints' }),
  fc.constant<AttemptOutcome>({ type: 'staleConnection' }),
  fc.constantFrom<AttemptOutcome>({ type: 'restart', reason: 'ServerIgnoredRange' }, { type: 'restart', reason: 'RangeMismatch' }),
  fc.constant<AttemptOutcome>({ type: 'diskFull' }),
);
const stepArb = fc.record({
  outcome: outcomeArb,
  // Mostly no progress, so rows of restarts and repeated stale connections happen.
  madeProgress: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
  draw: drawArb,
  retryAfter: fc.option(fc.oneof(fc.integer({ min: 0, max: 3_600_000 }), fc.constant(1e12)), { nil: null }),
});

const start: AttemptAccount = {
  started: 0,
  spent: 0,
  backoffExponent: 0,
  restartsInARow: 0,
  staleRetryUsed: false,
  startRecorded: false,
  madeProgress: false,
};

describe('accountAttempt properties', () => {
  it('#10 retries follow the policy: attempts never exceed maxAttempts; offline, the first three restarts, disk full and the first stale retry spend none', () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.tuple(stepArb, fc.integer({ min: 1, max: 6 })), { maxLength: 20 }), (retry, runsOfSteps) => {
        // Each step repeated 1-6 times: the table's rules are about outcomes in a row.
        const steps = runsOfSteps.flatMap(([step, times]) => Array.from({ length: times }, () => step));
        let account = start;
        for (const step of steps) {
          const before: AttemptAccount = { ...account, started: account.started + 1, madeProgress: step.madeProgress };
          const { account: after, decision } = accountAttempt({ account: before, outcome: step.outcome, retry, draw: step.draw, retryAfter: step.retryAfter });

          if (retry.maxAttempts !== null) expect(after.spent).toBeLessThanOrEqual(retry.maxAttempts);
          const restartsBefore = step.madeProgress ? 0 : before.restartsInARow;
          const staleUsedBefore = step.madeProgress ? false : before.staleRetryUsed;
          const free =
            step.outcome.type === 'offline' ||
            step.outcome.type === 'diskFull' ||
            step.outcome.type === 'final' ||
            (step.outcome.type === 'restart' && restartsBefore < freeRestartsInARow) ||
            (step.outcome.type === 'staleConnection' && !staleUsedBefore);
          if (free) expect(after.spent).toBe(before.spent);
          else expect(after.spent).toBe(Math.min(before.spent + 1, retry.maxAttempts ?? Number.POSITIVE_INFINITY));

          if (decision.type === 'retry') {
            expect(decision.delay).toBeGreaterThanOrEqual(0);
            expect(decision.delay).toBeLessThanOrEqual(retry.cap);
            if (free) expect(decision.delay).toBe(0);
            else if (step.retryAfter !== null) expect(decision.delay).toBeGreaterThanOrEqual(Math.min(step.retryAfter, retry.cap));
            // A counted retry leaves room for the attempt it grants.
            if (!free && retry.maxAttempts !== null) expect(after.spent).toBeLessThan(retry.maxAttempts);
          }
          if (decision.type === 'fail') break;
          account = after;
        }
      }),
      { numRuns: runs },
    );
  });
});
