import type { EventItem } from './session-types.js';

const maxQueuedTransient = 1024;

/**
 * The async iterator behind `session.events()`. Durable items wait for their `ack()` before the
 * next durable item is pushed (the delivery does that); transient items beyond a bound drop the
 * oldest transient ones, since progress is best effort.
 */
export class EventChannel implements AsyncIterableIterator<EventItem> {
  private readonly queue: EventItem[] = [];
  private readonly waiters: Array<(result: IteratorResult<EventItem>) => void> = [];
  private closed = false;

  push(item: EventItem, durable: boolean): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter({ value: item, done: false });
      return;
    }
    if (!durable && this.queue.length >= maxQueuedTransient) {
      const index = this.queue.findIndex((queued) => !('eventId' in queued));
      if (index >= 0) this.queue.splice(index, 1);
    }
    this.queue.push(item);
  }

  private readonly closeListeners: Array<() => void> = [];

  /** Called once when the iterator ends (`return()`, `break`, an aborted signal, the host stopping). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  next(): Promise<IteratorResult<EventItem>> {
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  return(): Promise<IteratorResult<EventItem>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EventItem> {
    return this;
  }
}
