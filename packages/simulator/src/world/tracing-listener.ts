import type { DurableEvent, SessionListener } from '@bgsession/core';
import type { Trace } from '../trace/trace.js';

/**
 * The app's listener with every delivery, handler return and progress report written into the
 * trace first. Without an app listener, it stands for an app that acknowledges each durable
 * event by returning.
 *
 * @example
 * ```ts
 * const listener = tracingListener(appListener, world.trace, 'app');
 * ```
 */
export function tracingListener(listener: SessionListener | undefined, trace: Trace, session: string): SessionListener {
  const app = listener ?? {};
  const delivered = (event: DurableEvent) =>
    trace.add({
      kind: 'delivered',
      session,
      eventId: event.eventId,
      type: event.type,
      taskIdentifier: event.type === 'sessionDidBecomeInvalid' ? null : event.task.taskIdentifier,
      error: event.type === 'taskDidComplete' ? (event.error?.code ?? null) : null,
    });
  const handled = (event: DurableEvent) => trace.add({ kind: 'handled', session, eventId: event.eventId });
  return {
    async downloadDidFinish(event) {
      delivered(event);
      await app.downloadDidFinish?.(event);
      handled(event);
    },
    async taskDidComplete(event) {
      delivered(event);
      await app.taskDidComplete?.(event);
      handled(event);
    },
    async sessionDidBecomeInvalid(event) {
      delivered(event);
      await app.sessionDidBecomeInvalid?.(event);
      handled(event);
    },
    taskDidWriteData(event) {
      trace.add({ kind: 'progress', session, taskIdentifier: event.task.taskIdentifier, bytes: event.totalBytesWritten });
      app.taskDidWriteData?.(event);
    },
    taskDidSendBodyData: (event) => app.taskDidSendBodyData?.(event),
    taskIsWaitingForConnectivity: (event) => app.taskIsWaitingForConnectivity?.(event),
    sessionDidFinishEvents: () => app.sessionDidFinishEvents?.(),
    storeProblem(event) {
      trace.add({ kind: 'note', text: `store problem in ${session}: ${event.problem.code} at ${event.problem.path}` });
      app.storeProblem?.(event);
    },
    eventDeliveryFailed(event) {
      const error = event.error instanceof Error ? event.error.message : String(event.error);
      trace.add({ kind: 'note', text: `delivery of ${event.eventType} ${event.eventId} in ${session} failed (${event.failures} in a row): ${error}` });
      app.eventDeliveryFailed?.(event);
    },
  };
}
