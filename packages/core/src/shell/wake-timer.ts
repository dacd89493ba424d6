import type { CancelTimer, Clock } from '../ports/clock.js';

/**
 * One Clock timer for the whole session: it fires at the earliest instant anything is due
 * (the scheduler's next wake-up, resource deadlines, delivery retries), so a session with 100,000
 * tasks holds one platform timer, not one per task.
 */
export class WakeTimer {
  private cancel: CancelTimer | null = null;
  private armedAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  /** Arms the timer for wall instant `at` unless it is already armed for an earlier one. */
  wakeAt(at: number): void {
    if (this.armedAt !== null && this.armedAt <= at) return;
    this.cancel?.();
    this.armedAt = at;
    const delay = Math.max(0, at - this.clock.now());
    this.cancel = this.clock.setTimer(delay, () => {
      this.cancel = null;
      this.armedAt = null;
      this.fire();
    });
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.armedAt = null;
  }
}
