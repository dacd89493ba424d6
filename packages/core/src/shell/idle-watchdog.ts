import type { CancelTimer, Clock } from '../ports/clock.js';

/**
 * Fails an attempt after `timeout` ms with no byte sent or received (`timeoutForRequest`). Every
 * byte re-arms it, so a slow but steady server never times out while a silent one always does.
 */
export class IdleWatchdog {
  private cancel: CancelTimer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly timeout: number,
    private readonly onIdle: () => void,
  ) {
    this.touch();
  }

  touch(): void {
    this.cancel?.();
    this.cancel = this.clock.setTimer(this.timeout, this.onIdle);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }
}
