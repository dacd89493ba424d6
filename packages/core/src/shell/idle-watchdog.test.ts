import { createManualClock } from '@bgsession/testing';
import { describe, expect, it } from 'vitest';
import { IdleWatchdog } from './idle-watchdog.js';

describe('IdleWatchdog', () => {
  it('#11 fires after timeout ms of silence, counted from the last touch, never earlier', () => {
    const clock = createManualClock();
    const fired: number[] = [];
    const watchdog = new IdleWatchdog(clock, 1_000, () => fired.push(clock.monotonic()));
    clock.advance(600);
    watchdog.touch();
    clock.advance(600);
    watchdog.touch();
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([2_200]);
    watchdog.stop();
  });

  it('a steady trickle of touches never fires it; stop() keeps it quiet', () => {
    const clock = createManualClock();
    let fired = 0;
    const watchdog = new IdleWatchdog(clock, 1_000, () => (fired += 1));
    for (let i = 0; i < 50; i++) {
      clock.advance(400);
      watchdog.touch();
    }
    expect(fired).toBe(0);
    watchdog.stop();
    clock.advance(10_000);
    expect(fired).toBe(0);
  });
});
