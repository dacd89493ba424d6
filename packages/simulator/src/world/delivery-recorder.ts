import type { SessionListener } from '@bgsession/core';
import type { LossyDisk } from '../disk/lossy-disk.js';
import type { WorldLog } from './world-log.js';

/**
 * The app's listener with each `downloadDidFinish` logged first, with a copy of the file it
 * points to at that moment (invariants #6 and #9 judge what was delivered, not what is left).
 *
 * @example
 * ```ts
 * const listener = deliveryRecorder(appListener, { log: world.log, disk: world.disk, session: 'app' });
 * ```
 */
export function deliveryRecorder(listener: SessionListener | undefined, context: { readonly log: WorldLog; readonly disk: LossyDisk; readonly session: string }): SessionListener {
  const app = listener ?? {};
  return {
    ...app,
    async downloadDidFinish(event) {
      const bytes = context.disk.readFile(event.location);
      context.log.deliveries.push({
        step: context.log.step(),
        session: context.session,
        taskIdentifier: event.task.taskIdentifier,
        eventId: event.eventId,
        location: event.location,
        // `readFile` already hands out a copy.
        bytes,
      });
      await app.downloadDidFinish?.(event);
    },
  };
}
