import type { DurableEvent, SessionListener } from '@bgsession/core';
import { formatBytes } from './format-bytes.js';
import type { StoryLog } from './story-log.js';

/** A delivery of a durable event to the app, as the story saw it. */
export interface Delivery {
  readonly host: number;
  readonly type: DurableEvent['type'];
  readonly eventId: string;
  /** Whether the handler returned (which acknowledges the event). */
  returned: boolean;
}

/** Options of {@link DemoApp.listener}. */
export interface DemoListenerOptions {
  /** The `downloadDidFinish` handler starts its work and never returns. */
  readonly hangOnFinish?: boolean;
  /** Called before each event is printed: the story polls the task phase there, so it prints in order. */
  readonly observe?: () => void;
}

/** The app of the story: its handlers, and what it has recorded so far. */
export interface DemoApp {
  /** Every durable event delivered, in order, over every host. */
  readonly deliveries: readonly Delivery[];
  /**
   * The event ids the app recorded with its effects. In a real app this is its own database, so it
   * outlives the host like the session's store does.
   */
  readonly recorded: ReadonlySet<string>;
  /** Progress events received by the host now running. */
  readonly progressEvents: number;
  /**
   * The listener for host number `host`. With `hangOnFinish`, the host dies with the event delivered
   * but not acknowledged.
   */
  listener(host: number, options?: DemoListenerOptions): SessionListener;
}

/**
 * Creates the story's app: it prints what it receives and, like an app that wants its effects
 * exactly once, records each event's id together with its work before it returns.
 *
 * @example
 * ```ts
 * const app = createDemoApp(log);
 * await host.open({ identifier: 'demo' }, { listener: app.listener(1, { hangOnFinish: true }) });
 * ```
 */
export function createDemoApp(log: StoryLog): DemoApp {
  const deliveries: Delivery[] = [];
  const recorded = new Set<string>();
  let progressEvents = 0;

  function deliver(host: number, event: DurableEvent, detail: string, observe?: () => void): Delivery {
    observe?.();
    const again = deliveries.some((d) => d.eventId === event.eventId);
    log.at(`event ${event.type} ${event.eventId}${again ? ' (delivered again: same eventId)' : ''}`);
    if (detail !== '') log.plain(detail);
    const delivery: Delivery = { host, type: event.type, eventId: event.eventId, returned: false };
    deliveries.push(delivery);
    return delivery;
  }

  function complete(delivery: Delivery, what: string): void {
    const already = recorded.has(delivery.eventId);
    recorded.add(delivery.eventId);
    delivery.returned = true;
    log.plain(`handler ${already ? 'finds the id already recorded, skips its work' : `records the id with its work (${what})`} and returns: acknowledged`);
  }

  return {
    deliveries,
    recorded,
    get progressEvents() {
      return progressEvents;
    },
    listener(host, options = {}) {
      let lastPercent = -1;
      progressEvents = 0;
      return {
        taskDidWriteData(event) {
          options.observe?.();
          progressEvents += 1;
          const percent = Math.floor((100 * event.totalBytesWritten) / event.totalBytesExpectedToWrite);
          if (percent === lastPercent) return;
          lastPercent = percent;
          log.at(`progress ${formatBytes(event.totalBytesWritten)} / ${formatBytes(event.totalBytesExpectedToWrite)} bytes (${percent}%)`);
        },
        downloadDidFinish(event) {
          const delivery = deliver(host, event, `location ${event.location}`, options.observe);
          if (options.hangOnFinish === true) {
            log.plain('handler starts its work and has not returned yet...');
            return new Promise<void>(() => undefined);
          }
          complete(delivery, 'files the download');
          return undefined;
        },
        taskDidComplete(event) {
          const delivery = deliver(host, event, `error: ${event.error === null ? 'none' : event.error.code}`, options.observe);
          complete(delivery, 'marks the task done');
          return undefined;
        },
        sessionDidBecomeInvalid(event) {
          const delivery = deliver(host, event, '', options.observe);
          complete(delivery, 'notes the session ended');
          return undefined;
        },
      };
    },
  };
}
