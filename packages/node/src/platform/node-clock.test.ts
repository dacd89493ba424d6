import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeClock, maxTimerDelay } from './node-clock.js';

const DAY = 24 * 60 * 60 * 1000;

describe('createNodeClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A clock on vitest's fake timers, whose monotonic time is the fake Date. */
  function fakeClock() {
    vi.useFakeTimers();
    const started = Date.now();
    return createNodeClock({ monotonic: () => Date.now() - started });
  }

  it('fires a 60-day timer after 60 days, not at once (chained past 2^31-1 ms)', () => {
    const clock = fakeClock();
    const fire = vi.fn();
    clock.setTimer(60 * DAY, fire);
    vi.advanceTimersByTime(maxTimerDelay + 1);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60 * DAY - maxTimerDelay - 2);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * DAY);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('never hands setTimeout a delay above 2^31-1 ms', () => {
    const delays: number[] = [];
    let pending: (() => void) | null = null;
    let time = 0;
    const clock = createNodeClock({
      monotonic: () => time,
      setTimeout: (fire, delay) => {
        delays.push(delay);
        pending = fire;
        return delays.length;
      },
      clearTimeout: () => undefined,
    });
    const fire = vi.fn();
    clock.setTimer(3 * maxTimerDelay, fire);
    while (pending !== null && fire.mock.calls.length === 0) {
      const next: () => void = pending;
      pending = null;
      time += delays[delays.length - 1] ?? 0;
      next();
    }
    expect(delays).toEqual([maxTimerDelay, maxTimerDelay, maxTimerDelay]);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('re-arms when setTimeout wakes a fraction of a millisecond early', () => {
    let time = 0;
    const armed: Array<() => void> = [];
    const clock = createNodeClock({ monotonic: () => time, setTimeout: (fire) => armed.push(fire), clearTimeout: () => undefined });
    const fire = vi.fn();
    clock.setTimer(10, fire);
    time = 9.6;
    armed.shift()?.();
    expect(fire).not.toHaveBeenCalled();
    time = 10;
    armed.shift()?.();
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('cancels a chained timer between slices, and cancelling twice or after firing does nothing', () => {
    const clock = fakeClock();
    const fire = vi.fn();
    const cancel = clock.setTimer(40 * DAY, fire);
    vi.advanceTimersByTime(30 * DAY);
    cancel();
    cancel();
    vi.advanceTimersByTime(20 * DAY);
    expect(fire).not.toHaveBeenCalled();

    const other = vi.fn();
    const cancelOther = clock.setTimer(5, other);
    vi.advanceTimersByTime(5);
    cancelOther();
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('fires a zero or negative delay later, never inside setTimer', () => {
    const clock = fakeClock();
    const fire = vi.fn();
    clock.setTimer(0, fire);
    clock.setTimer(-5, fire);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(fire).toHaveBeenCalledTimes(2);
  });

  it('unrefs its timers only when asked', () => {
    const unref = vi.fn();
    const handle = { unref };
    const make = (value?: boolean) =>
      createNodeClock({ ...(value === undefined ? {} : { unref: value }), setTimeout: () => handle, clearTimeout: () => undefined });
    make().setTimer(10, () => undefined);
    expect(unref).not.toHaveBeenCalled();
    make(true).setTimer(10, () => undefined);
    expect(unref).toHaveBeenCalledTimes(1);
  });

  it('reads the wall clock and a monotonic clock that does not go back', () => {
    const clock = createNodeClock();
    const before = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    const first = clock.monotonic();
    expect(clock.monotonic()).toBeGreaterThanOrEqual(first);
  });

  it('refuses a delay that is not a number with InvalidArgument', () => {
    const clock = createNodeClock();
    expect(() => clock.setTimer(Number.NaN, () => undefined)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
