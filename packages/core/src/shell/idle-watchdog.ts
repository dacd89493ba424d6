import type { CancelTimer, Clock } from '../ports/clock.js';

/**
 * Fails an attempt after `timeout` ms with no byte sent or received (`timeoutForRequest`). Every
 * byte re-arms it, so a slow but steady server never times out while a silent one always does.
 *
 * A touch only notes the time: the one timer, when it fires early, waits the rest of the silence
 * again, so a body of thousands of chunks costs no timer per chunk (B1).
 */
export class IdleWatchdog {
  private cancel: CancelTimer | null = null;
  private lastActive: number;

  constructor(
    private readonly clock: Pick<Clock, 'monotonic' | 'setTimer'>,
    private readonly timeout: number,
    private readonly onIdle: () => void,
  ) {
    this.lastActive = clock.monotonic();
    this.arm(timeout);
  }

  touch(): void {
    this.lastActive = this.clock.monotonic();
    if (this.cancel === null) this.arm(this.timeout);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private arm(delay: number): void {
    this.cancel = this.clock.setTimer(delay, () => {
      this.cancel = null;
      const silent = this.clock.monotonic() - this.lastActive;
      if (silent >= this.timeout) this.onIdle();
      else this.arm(this.timeout - silent);
    });
  }
}
