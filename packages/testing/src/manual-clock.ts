import type { CancelTimer, Clock } from '@bgsession/core';
import { createTimerQueue } from './timer-queue.js';

/** Options of {@link createManualClock}. */
export interface ManualClockOptions {
  /** The wall clock at the start, ms since the epoch (2023-11-14T22:13:20Z by default). */
  readonly now?: number;
  /** The monotonic clock at the start (0 by default). */
  readonly monotonic?: number;
  /** The most timers one call may fire before it gives up on a timer that keeps re-arming itself. */
  readonly maxTimersPerCall?: number;
}

/** A {@link Clock} that moves only when the test says so. */
export interface ManualClock extends Clock {
  /**
   * Moves both clocks forward by `ms`, firing every timer that falls due within the span in order
   * (ties in the order they were set), including timers set by those timers. Returns how many fired.
   */
  advance(ms: number): number;
  /** Advances until the wall clock reads `instant` (no-op when it already does or is past it). */
  advanceTo(instant: number): number;
  /** Jumps the wall clock by `ms` (either way) while no monotonic time passes; no timer fires. */
  jump(ms: number): void;
  /** Timers set and not yet fired or cancelled. */
  pendingTimers(): number;
  /** The wall-clock instant the next timer fires at (if the wall clock does not jump), or null. */
  nextTimerAt(): number | null;
  /** Fires every pending timer in order, advancing time to each, up to `limit` timers. */
  runAll(limit?: number): number;
  /** Lets every queued promise callback run (one macrotask turn). */
  flush(): Promise<void>;
  /** {@link ManualClock.advance}, letting promise chains run before and after each timer. */
  advanceAsync(ms: number): Promise<number>;
  /** {@link ManualClock.advanceTo}, letting promise chains run before and after each timer. */
  advanceToAsync(instant: number): Promise<number>;
  /** {@link ManualClock.runAll}, letting promise chains run before and after each timer. */
  runAllAsync(limit?: number): Promise<number>;
}

const defaultNow = 1_700_000_000_000;

/**
 * Creates a {@link ManualClock}: a Clock port whose time moves only through `advance`, `jump` and
 * their variants, so timer-driven behaviour is deterministic and instant to test.
 *
 * @example
 * ```ts
 * const clock = createManualClock({ now: 0 });
 * const fired: number[] = [];
 * clock.setTimer(1_000, () => fired.push(clock.now()));
 * clock.advance(999); // fired: []
 * clock.advance(1); // fired: [1000]
 * clock.jump(-60_000); // the wall clock goes back a minute; monotonic() does not move
 * ```
 */
export function createManualClock(options: ManualClockOptions = {}): ManualClock {
  let monotonic = options.monotonic ?? 0;
  let wallOffset = (options.now ?? defaultNow) - monotonic;
  const maxTimers = options.maxTimersPerCall ?? 100_000;
  const queue = createTimerQueue();

  function checkSpan(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`A manual clock advances by a finite ms >= 0, not ${ms}.`);
  }

  function runaway(limit: number): never {
    throw new Error(`The manual clock fired ${limit} timers in one call: a timer keeps re-arming itself.`);
  }

  function hasDue(target: number): boolean {
    const next = queue.peek();
    return next !== undefined && next.due <= target;
  }

  /** Fires the earliest timer, moving time to its due instant. */
  function fireNext(fired: number, limit: number): void {
    if (fired >= limit) runaway(limit);
    const next = queue.pop();
    if (next === undefined) return;
    monotonic = Math.max(monotonic, next.due);
    next.fire();
  }

  function advance(ms: number): number {
    checkSpan(ms);
    const target = monotonic + ms;
    let fired = 0;
    for (; hasDue(target); fired += 1) fireNext(fired, maxTimers);
    monotonic = target;
    return fired;
  }

  async function advanceAsync(ms: number): Promise<number> {
    checkSpan(ms);
    const target = monotonic + ms;
    let fired = 0;
    await flush();
    for (; hasDue(target); fired += 1) {
      fireNext(fired, maxTimers);
      await flush();
    }
    monotonic = target;
    await flush();
    return fired;
  }

  function runAll(limit = maxTimers): number {
    let fired = 0;
    for (; hasDue(Number.MAX_VALUE); fired += 1) fireNext(fired, limit);
    return fired;
  }

  async function runAllAsync(limit = maxTimers): Promise<number> {
    let fired = 0;
    await flush();
    for (; hasDue(Number.MAX_VALUE); fired += 1) {
      fireNext(fired, limit);
      await flush();
    }
    return fired;
  }

  function flush(): Promise<void> {
    // Microtasks all run before the next macrotask, so one macrotask turn drains promise chains.
    // setImmediate is Node's; browsers (vitest browser mode) have only setTimeout.
    return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
  }

  return {
    now: () => monotonic + wallOffset,
    monotonic: () => monotonic,
    setTimer(delay: number, fire: () => void): CancelTimer {
      // A NaN or negative delay fires at the next advance, as Node treats it; Infinity never fires.
      const span = Number.isNaN(delay) || delay < 0 ? 0 : delay;
      const timer = queue.add(monotonic + span, fire);
      return () => queue.cancel(timer);
    },
    advance,
    advanceTo: (instant) => advance(Math.max(0, instant - (monotonic + wallOffset))),
    jump(ms) {
      if (!Number.isFinite(ms)) throw new RangeError(`A manual clock jumps by a finite ms, not ${ms}.`);
      wallOffset += ms;
    },
    pendingTimers: () => queue.size,
    nextTimerAt() {
      const next = queue.peek();
      return next === undefined ? null : next.due + wallOffset;
    },
    runAll,
    flush,
    advanceAsync,
    advanceToAsync: (instant) => advanceAsync(Math.max(0, instant - (monotonic + wallOffset))),
    runAllAsync,
  };
}
