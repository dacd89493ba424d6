import { BgSessionError, type CancelTimer, type Clock } from '@bgsession/core';
import { createManualClock } from '@bgsession/testing';
import { TimerHeap } from './timer-heap.js';

/** Options of {@link createVirtualClock}. */
export interface VirtualClockOptions {
  /** The wall clock at monotonic 0, in ms since the epoch (2023-11-14T22:13:20Z by default). */
  readonly start?: number;
  /**
   * Lets every promise chain that can run, run: awaited before the first timer, after each timer
   * and at the end of an advance. By default one macrotask turn (the manual clock's `flush` of
   * `@bgsession/testing`): microtasks all run before the next macrotask, and a simulated world
   * waits on nothing else, so one turn settles everything, the same way every run.
   */
  readonly settle?: () => Promise<void>;
  /**
   * The most timers one advance fires before it gives up on a timer that keeps re-arming itself
   * without letting time pass (100 000 by default).
   */
  readonly maxTimersPerAdvance?: number;
}

/** A {@link Clock} on virtual time, which moves only through `advance` and `jump`. */
export interface VirtualClock extends Clock {
  /**
   * Moves time forward by `ms` (finite, >= 0): fires every timer falling due within the span in
   * order of due instant, ties in the order they were set (timers set by those timers included),
   * with the clocks reading each timer's due instant while it runs, and settles promise chains
   * before the first timer, after each one and at the end. Resolves with how many fired.
   */
  advance(ms: number): Promise<number>;
  /** {@link VirtualClock.advance} up to the monotonic instant `instant` (nothing when it is past). */
  advanceTo(instant: number): Promise<number>;
  /** The monotonic instant the earliest pending timer is due at, or null when none is pending. */
  nextDueAt(): number | null;
  /** Moves the wall clock by `ms` (finite, either way); monotonic time does not move, no timer fires. */
  jump(ms: number): void;
  /** Timers set and neither fired nor cancelled. */
  pendingTimers(): number;
  /** Runs the `settle` option once: lets promise chains run without moving time. */
  settle(): Promise<void>;
}

const defaultStart = 1_700_000_000_000;

/**
 * Creates a {@link VirtualClock}: the Clock port of a simulated world. Time starts at monotonic 0
 * and wall `start`; every timer is due at a monotonic instant and fires only inside `advance`, so
 * the same calls give the same order of events on every run. A delay that is NaN or negative
 * counts as 0; an infinite one never fires. No timer needs chaining: virtual time has no 2^31-1 ms
 * limit.
 *
 * @example
 * ```ts
 * const clock = createVirtualClock({ start: 0 });
 * const fired: number[] = [];
 * clock.setTimer(1_000, () => fired.push(clock.now()));
 * await clock.advance(999); // fired: []
 * clock.nextDueAt(); // 1000
 * await clock.advance(1); // fired: [1000]
 * clock.jump(-60_000); // the wall clock goes back a minute; monotonic() stays at 1000
 * ```
 */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const heap = new TimerHeap();
  const settle = options.settle ?? createManualClock().flush;
  const limit = options.maxTimersPerAdvance ?? 100_000;
  let monotonic = 0;
  let wallOffset = options.start ?? defaultStart;
  let advancing = false;

  function checkFinite(ms: number, what: string, field: string): void {
    if (!Number.isFinite(ms)) throw new BgSessionError('InvalidArgument', `A virtual clock ${what} by a finite number of ms, not ${ms}.`, { field });
  }

  function hasDue(target: number): boolean {
    const next = heap.peek();
    return next !== undefined && next.due <= target;
  }

  async function advanceTo(target: number): Promise<number> {
    if (advancing) throw new BgSessionError('InvalidArgument', 'The virtual clock is already advancing: await one advance before the next.');
    advancing = true;
    let fired = 0;
    try {
      await settle();
      while (hasDue(target)) {
        if (fired >= limit) {
          throw new BgSessionError('InvalidArgument', `The virtual clock fired ${limit} timers in one advance: a timer keeps re-arming itself.`, { field: 'maxTimersPerAdvance' });
        }
        const timer = heap.pop();
        if (timer === undefined) break;
        monotonic = Math.max(monotonic, timer.due);
        fired += 1;
        timer.fire();
        await settle();
      }
      monotonic = Math.max(monotonic, target);
      await settle();
      return fired;
    } finally {
      advancing = false;
    }
  }

  return {
    now: () => monotonic + wallOffset,
    monotonic: () => monotonic,
    setTimer(delay: number, fire: () => void): CancelTimer {
      const span = Number.isNaN(delay) || delay < 0 ? 0 : delay;
      if (span === Infinity) return () => undefined;
      const timer = heap.add(monotonic + span, fire);
      return () => heap.cancel(timer);
    },
    async advance(ms) {
      checkFinite(ms, 'advances', 'ms');
      if (ms < 0) throw new BgSessionError('InvalidArgument', `A virtual clock advances by ms >= 0, not ${ms}.`, { field: 'ms' });
      return advanceTo(monotonic + ms);
    },
    async advanceTo(instant) {
      checkFinite(instant, 'advances to an instant', 'instant');
      return advanceTo(instant);
    },
    nextDueAt: () => heap.peek()?.due ?? null,
    jump(ms) {
      checkFinite(ms, 'jumps', 'ms');
      wallOffset += ms;
    },
    pendingTimers: () => heap.size,
    settle: () => settle(),
  };
}
