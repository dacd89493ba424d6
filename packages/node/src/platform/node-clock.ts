import { BgSessionError, type CancelTimer, type Clock } from '@bgsession/core';

/** Options of {@link createNodeClock}. Tests inject the timer functions; hosts rarely need to. */
export interface NodeClockOptions {
  /**
   * Unref every timer, so a pending backoff or due time does not keep the process alive (default
   * false). A CLI that should exit while tasks wait sets it; a daemon keeps the default.
   */
  readonly unref?: boolean;
  /** Replaces `globalThis.setTimeout` (tests). */
  readonly setTimeout?: (fire: () => void, delay: number) => unknown;
  /** Replaces `globalThis.clearTimeout` (tests). */
  readonly clearTimeout?: (handle: unknown) => void;
  /** Replaces `performance.now()` (tests). */
  readonly monotonic?: () => number;
  /** Replaces `Date.now()` (tests). */
  readonly now?: () => number;
}

/**
 * The longest delay Node's setTimeout honours (2^31-1 ms, about 24.8 days); a longer one fires
 * after 1 ms, which is why {@link createNodeClock} chains.
 *
 * @example
 * ```ts
 * Math.ceil((30 * 24 * 60 * 60 * 1000) / maxTimerDelay); // 2 slices for a 30-day timer
 * ```
 */
export const maxTimerDelay = 2 ** 31 - 1;

/**
 * Creates the {@link Clock} of Node: `Date.now()` for the wall clock, `performance.now()` for
 * monotonic time, and `setTimeout` for timers. A delay longer than 2^31-1 ms (about 24.8 days,
 * which Node would fire at once) is waited in chained slices, each re-measured on the monotonic
 * clock, so a timer never fires early. Timers keep the process alive unless `unref: true`: whether a
 * waiting session should hold a process open is the host's decision, not the clock's.
 *
 * @example
 * ```ts
 * const clock = createNodeClock();
 * const cancel = clock.setTimer(30 * 24 * 60 * 60 * 1000, () => console.log('a month later'));
 * cancel(); // nothing fires; cancelling again does nothing
 * ```
 */
export function createNodeClock(options: NodeClockOptions = {}): Clock {
  const schedule = options.setTimeout ?? ((fire: () => void, delay: number) => setTimeout(fire, delay));
  const unschedule = options.clearTimeout ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const monotonic = options.monotonic ?? (() => performance.now());
  const now = options.now ?? (() => Date.now());
  const unref = options.unref ?? false;

  function setTimer(delay: number, fire: () => void): CancelTimer {
    if (typeof delay !== 'number' || Number.isNaN(delay)) throw new BgSessionError('InvalidArgument', 'setTimer: delay must be a number.', { field: 'delay' });
    if (typeof fire !== 'function') throw new BgSessionError('InvalidArgument', 'setTimer: fire must be a function.', { field: 'fire' });
    const deadline = monotonic() + Math.max(0, delay);
    let handle: unknown = null;
    let done = false;

    function arm(remaining: number): void {
      // Infinity waits forever in slices, which is what an unbounded delay means.
      handle = schedule(check, Math.min(Math.max(0, Math.ceil(remaining)), maxTimerDelay));
      if (unref) (handle as { unref?: () => void } | null)?.unref?.();
    }

    function check(): void {
      if (done) return;
      // setTimeout counts whole ms on its own clock: it may wake a fraction early, so re-measure.
      const remaining = deadline - monotonic();
      if (remaining > 0) return arm(remaining);
      done = true;
      handle = null;
      fire();
    }

    // Always through setTimeout, even for 0: the caller's stack never sees `fire` run inside setTimer.
    arm(deadline - monotonic());
    return () => {
      if (done) return;
      done = true;
      if (handle !== null) unschedule(handle);
      handle = null;
    };
  }

  return { now, monotonic, setTimer };
}
