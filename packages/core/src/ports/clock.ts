/** Cancels a timer; cancelling twice, or after it fired, does nothing. */
export type CancelTimer = () => void;

/**
 * Time, for everything in the core that waits. The core reads no other clock.
 *
 * Guarantees: `now()` is the wall clock in ms since the epoch (it may jump); `monotonic()` never
 * goes back; `setTimer(delay, fire)` calls `fire` once, no earlier than `delay` ms of monotonic time
 * later, for any delay (implementations chain timers past 2^31-1 ms, which Node would fire at once).
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  setTimer(delay: number, fire: () => void): CancelTimer;
}
