import type { ManualClock } from '@bgsession/testing';

/** Options of {@link runClockUntil}. */
export interface RunClockUntilOptions {
  /** Called after every step, at the step's virtual time (the demo polls task phases here). */
  readonly onStep?: () => void;
  /** The longest single step, ms: time still moves when no timer is pending. */
  readonly maxStepMs?: number;
  /** The most steps before giving up. */
  readonly maxSteps?: number;
}

/**
 * Moves the manual clock from timer to timer (never further than `maxStepMs` at once), letting
 * promise chains run between them, until `done()` holds. Stepping to each timer's exact instant
 * means every state change is seen at the virtual time it happened. Rejects when `done()` still
 * fails after `maxSteps`, so a story that went wrong ends instead of spinning.
 *
 * @example
 * ```ts
 * await runClockUntil(host.clock, () => delivered.length === 2, { onStep: () => watcher.poll() });
 * ```
 */
export async function runClockUntil(clock: ManualClock, done: () => boolean, options: RunClockUntilOptions = {}): Promise<void> {
  const { onStep, maxStepMs = 1000, maxSteps = 10_000 } = options;
  await clock.flush();
  onStep?.();
  for (let step = 0; step < maxSteps; step += 1) {
    if (done()) return;
    const next = clock.nextTimerAt();
    const span = next === null ? maxStepMs : Math.min(maxStepMs, Math.max(0, next - clock.now()));
    await clock.advanceAsync(span);
    onStep?.();
  }
  if (!done()) throw new Error(`the story did not reach its next point within ${maxSteps} clock steps`);
}
