import { describe, expect, it } from 'vitest';
import { createManualClock } from './manual-clock.js';

describe('createManualClock', () => {
  it('fires a timer once, when its delay has passed, with the clock reading its due instant', () => {
    const clock = createManualClock({ now: 1_000, monotonic: 50 });
    const seen: Array<[number, number]> = [];
    clock.setTimer(100, () => seen.push([clock.now(), clock.monotonic()]));
    expect(clock.advance(99)).toBe(0);
    expect(seen).toEqual([]);
    expect(clock.advance(500)).toBe(1);
    expect(seen).toEqual([[1_100, 150]]);
    expect(clock.now()).toBe(1_599);
    expect(clock.advance(10_000)).toBe(0);
  });

  it('fires due timers in due order, ties in the order they were set', () => {
    const clock = createManualClock();
    const order: string[] = [];
    clock.setTimer(30, () => order.push('c'));
    clock.setTimer(10, () => order.push('a'));
    clock.setTimer(10, () => order.push('b'));
    clock.setTimer(0, () => order.push('now'));
    clock.advance(30);
    expect(order).toEqual(['now', 'a', 'b', 'c']);
  });

  it('fires timers set by timers when they fall due within the span, and not beyond it', () => {
    const clock = createManualClock({ monotonic: 0 });
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.monotonic());
      clock.setTimer(40, tick);
    };
    clock.setTimer(40, tick);
    clock.advance(100);
    expect(fired).toEqual([40, 80]);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()).toBe(clock.now() + 20);
  });

  it('a cancelled timer never fires; cancelling twice or after firing does nothing', () => {
    const clock = createManualClock();
    const fired: string[] = [];
    const cancelA = clock.setTimer(10, () => fired.push('a'));
    const cancelB = clock.setTimer(20, () => fired.push('b'));
    cancelA();
    cancelA();
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(20);
    cancelB();
    expect(fired).toEqual(['b']);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('jump moves the wall clock only: timers still wait their monotonic delay', () => {
    const clock = createManualClock({ now: 10_000, monotonic: 0 });
    const fired: number[] = [];
    clock.setTimer(1_000, () => fired.push(clock.now()));
    clock.jump(-5_000);
    expect(clock.now()).toBe(5_000);
    expect(clock.monotonic()).toBe(0);
    expect(fired).toEqual([]);
    clock.jump(3_600_000);
    expect(fired).toEqual([]);
    clock.advance(1_000);
    expect(fired).toEqual([3_606_000]);
  });

  it('advanceTo moves to a wall-clock instant, and never backwards', () => {
    const clock = createManualClock({ now: 0 });
    const fired: number[] = [];
    clock.setTimer(500, () => fired.push(clock.now()));
    clock.advanceTo(700);
    expect(clock.now()).toBe(700);
    expect(fired).toEqual([500]);
    clock.advanceTo(100);
    expect(clock.now()).toBe(700);
  });

  it('a NaN or negative delay fires at the next advance; an infinite one never', () => {
    const clock = createManualClock();
    const fired: string[] = [];
    clock.setTimer(-5, () => fired.push('negative'));
    clock.setTimer(Number.NaN, () => fired.push('nan'));
    clock.setTimer(Infinity, () => fired.push('never'));
    clock.advance(0);
    expect(fired).toEqual(['negative', 'nan']);
    expect(clock.runAll()).toBe(0);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('runAll fires every pending timer in order and stops a timer that keeps re-arming itself', () => {
    const clock = createManualClock({ monotonic: 0 });
    const fired: number[] = [];
    clock.setTimer(3_000_000_000, () => fired.push(clock.monotonic()));
    clock.setTimer(5, () => clock.setTimer(5, () => fired.push(clock.monotonic())));
    expect(clock.runAll()).toBe(3);
    expect(fired).toEqual([10, 3_000_000_000]);
    const again = (): void => {
      clock.setTimer(0, again);
    };
    clock.setTimer(0, again);
    expect(() => clock.runAll(50)).toThrow(/re-arming/);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('advance refuses a negative or infinite span', () => {
    const clock = createManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Infinity)).toThrow(RangeError);
  });

  it('advanceAsync lets promise chains run between timers, so timers they set fire in the span', async () => {
    const chain = (clock: ReturnType<typeof createManualClock>, fired: number[]): void => {
      clock.setTimer(10, () => {
        void Promise.resolve()
          .then(() => Promise.resolve())
          .then(() => {
            clock.setTimer(10, () => fired.push(clock.monotonic()));
          });
      });
    };
    const sync = createManualClock({ monotonic: 0 });
    const syncFired: number[] = [];
    chain(sync, syncFired);
    sync.advance(50);
    expect(syncFired).toEqual([]);

    const clock = createManualClock({ monotonic: 0 });
    const fired: number[] = [];
    chain(clock, fired);
    expect(await clock.advanceAsync(50)).toBe(2);
    expect(fired).toEqual([20]);
    expect(clock.monotonic()).toBe(50);
  });

  it('runAllAsync and advanceToAsync run promise chains too', async () => {
    const clock = createManualClock({ now: 0, monotonic: 0 });
    const fired: number[] = [];
    clock.setTimer(10, () => {
      void Promise.resolve().then(() => clock.setTimer(10, () => fired.push(clock.now())));
    });
    expect(await clock.runAllAsync()).toBe(2);
    expect(fired).toEqual([20]);
    clock.setTimer(5, () => {
      void Promise.resolve().then(() => clock.setTimer(1, () => fired.push(clock.now())));
    });
    await clock.advanceToAsync(100);
    expect(fired).toEqual([20, 26]);
  });
});
