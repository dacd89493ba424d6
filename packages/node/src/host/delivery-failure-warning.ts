import type { TransientEvent } from '@bgsession/core';

/** The `code` of the process warning {@link warnDeliveryFailure} emits. */
export const deliveryFailureWarningCode = 'BGSESSION_EVENT_DELIVERY_FAILED';

/**
 * The Node host's stand-in for a listener without `eventDeliveryFailed`: a process warning (stderr
 * by default, `process.on('warning')` to catch it), so a handler that keeps throwing is never
 * retried in silence. An app that handles `eventDeliveryFailed` itself gets no warning.
 *
 * @example
 * ```ts
 * warnDeliveryFailure({ type: 'eventDeliveryFailed', eventId: 'e1', eventType: 'taskDidComplete', taskIdentifier: 3,
 *   error: new Error('db down'), failures: 1, retryAt: Date.now() + 1000 });
 * // (node:123) [BGSESSION_EVENT_DELIVERY_FAILED] Warning: bgsession: the taskDidComplete handler (task 3, event e1) threw: db down. ...
 * ```
 */
export function warnDeliveryFailure(event: Extract<TransientEvent, { type: 'eventDeliveryFailed' }>): void {
  const task = event.taskIdentifier === null ? '' : `task ${event.taskIdentifier}, `;
  const what = event.error instanceof Error ? event.error.message : String(event.error);
  const seconds = Math.max(0, Math.round((event.retryAt - Date.now()) / 1000));
  process.emitWarning(
    `bgsession: the ${event.eventType} handler (${task}event ${event.eventId}) threw: ${what}. ` +
      `The event stays owed and comes again in about ${seconds} s (failure ${event.failures} in a row). ` +
      'Give the listener an eventDeliveryFailed handler to report this yourself.',
    { code: deliveryFailureWarningCode },
  );
}
