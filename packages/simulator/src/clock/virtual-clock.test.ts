import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectRejection } from '@bgsession/testing';
import { createVirtualClock } from './virtual-clock.js';

const runs = Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100);

describe('createVirtualClock', () => {
  it('starts at monotonic 0 and the given wall clock, and moves only when advanced', async () => {
    const clock = createVirtualClock({ start: 5_000 });
    expect([clock.now(), clock.monotonic()]).toEqual([5_000, 0]);
    await clock.advance(250);
    expect([clock.now(), clock.monotonic()]).toEqual([5_250, 250]);
  });

  it('fires timers in order of due instant, ties in the order they were set, each at its own instant', async () => {
    const clock = createVirtualClock({ start: 0 });
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.monotonic()}`);
    clock.setTimer(30, at('c'));
    clock.setTimer(10, at('a1'));
    clock.setTimer(10, at('a2'));
    clock.setTimer(20, at('b'));
    expect(await clock.advance(25)).toBe(3);
    expect(fired).toEqual(['a1@10', 'a2@10', 'b@20']);
    expect(clock.monotonic()).toBe(25);
    expect(clock.nextDueAt()).toBe(30);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('fires timers set by timers within the same advance, and not those due after it', async () => {
    const clock = createVirtualClock({ start: 0 });
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.monotonic());
      clock.setTimer(0, () => fired.push(clock.monotonic()));
      clock.setTimer(5, () => fired.push(clock.monotonic()));
      clock.setTimer(100, () => fired.push(clock.monotonic()));
    });
    expect(await clock.advance(20)).toBe(3);
    expect(fired).toEqual([10, 10, 15]);
    expect(clock.nextDueAt()).toBe(110);
  });

  it('lets promise chains run between timers, so a timer armed after an await fires in the same advance', async () => {
    const clock = createVirtualClock({ start: 0 });
    const seen: number[] = [];
    async function loop(): Promise<void> {
      for (let i = 0; i < 3; i += 1) {
        await new Promise<void>((resolve) => clock.setTimer(10, resolve));
        // A few awaits, as a store or a transport would make between two timers.
        await Promise.resolve();
        await Promise.resolve();
        seen.push(clock.monotonic());
      }
    }
    const done = loop();
    await clock.advance(30);
    expect(seen).toEqual([10, 20, 30]);
    await done;
  });

  it('a cancelled timer never fires; cancelling twice or after it fired does nothing', async () => {
    const clock = createVirtualClock();
    const fired: string[] = [];
    const cancelA = clock.setTimer(5, () => fired.push('a'));
    const cancelB = clock.setTimer(6, () => fired.push('b'));
    cancelA();
    cancelA();
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(10);
    cancelB();
    expect(fired).toEqual(['b']);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextDueAt()).toBeNull();
  });

  it('a NaN or negative delay fires at the next advance; an infinite one never', async () => {
    const clock = createVirtualClock();
    const fired: string[] = [];
    clock.setTimer(Number.NaN, () => fired.push('nan'));
    clock.setTimer(-5, () => fired.push('negative'));
    clock.setTimer(Infinity, () => fired.push('never'));
    expect(clock.pendingTimers()).toBe(2);
    await clock.advance(0);
    await clock.advance(1e12);
    expect(fired).toEqual(['nan', 'negative']);
  });

  it('delays past 2^31-1 ms fire when due, not at once', async () => {
    const clock = createVirtualClock();
    let fired = false;
    clock.setTimer(2 ** 31 + 10, () => (fired = true));
    await clock.advance(2 ** 31);
    expect(fired).toBe(false);
    await clock.advance(10);
    expect(fired).toBe(true);
  });

  it('jump moves the wall clock either way, leaves monotonic time alone and fires nothing', async () => {
    const clock = createVirtualClock({ start: 1_000_000 });
    let fired = false;
    clock.setTimer(10, () => (fired = true));
    clock.jump(-60_000);
    expect([clock.now(), clock.monotonic()]).toEqual([940_000, 0]);
    clock.jump(3_600_000);
    expect(clock.now()).toBe(4_540_000);
    expect(fired).toBe(false);
    expect(clock.nextDueAt()).toBe(10);
    await clock.advance(10);
    expect(fired).toBe(true);
    expect(clock.now()).toBe(4_540_010);
  });

  it('advanceTo goes to a monotonic instant, and does nothing for one already past', async () => {
    const clock = createVirtualClock({ start: 0 });
    clock.jump(1_000);
    clock.setTimer(40, () => undefined);
    expect(await clock.advanceTo(50)).toBe(1);
    expect(clock.monotonic()).toBe(50);
    expect(await clock.advanceTo(20)).toBe(0);
    expect(clock.monotonic()).toBe(50);
  });

  it('refuses bad spans, a second advance while one runs, and a timer that re-arms itself forever', async () => {
    const clock = createVirtualClock({ maxTimersPerAdvance: 50 });
    await expectRejection(clock.advance(-1), 'InvalidArgument');
    await expectRejection(clock.advance(Number.NaN), 'InvalidArgument');
    expect(() => clock.jump(Infinity)).toThrow(/finite/);
    const first = clock.advance(1);
    await expectRejection(clock.advance(1), 'InvalidArgument');
    await first;
    const again = (): void => void clock.setTimer(0, again);
    again();
    await expectRejection(clock.advance(1), 'InvalidArgument');
  });

  it('the same timers set in the same order fire in the same order (deterministic order)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: 50 }), fc.boolean()), { maxLength: 30 }), fc.nat({ max: 60 }), async (timers, span) => {
        const order = async (): Promise<string[]> => {
          const clock = createVirtualClock({ start: 0, settle: () => Promise.resolve() });
          const fired: string[] = [];
          const cancels = timers.map(([delay], i) => clock.setTimer(delay, () => fired.push(`${i}@${clock.monotonic()}`)));
          timers.forEach(([, cancel], i) => cancel && cancels[i]?.());
          await clock.advance(span);
          return fired;
        };
        const fired = await order();
        expect(await order()).toEqual(fired);
        const expected = timers
          .map(([delay, cancel], i) => ({ delay, cancel, i }))
          .filter((t) => !t.cancel && t.delay <= span)
          .sort((a, b) => a.delay - b.delay || a.i - b.i)
          .map((t) => `${t.i}@${t.delay}`);
        expect(fired).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });
});
