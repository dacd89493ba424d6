import { toPersistedError } from '../codecs/persisted-error-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { TaskEvent } from '../model/task-events.js';
import type { TaskRecord } from '../model/task-types.js';
import { buildResumeData } from './resume-data-builder.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * Moves a finished download to where the app wants it, after the size and hash were recorded
 * (`handingOver`). On a relaunch it runs again: the ByteStore's hand-over is idempotent (a key
 * already handed over answers where its bytes went), so the end is committed instead of
 * downloading again. A hand-over that fails ends that task, never the session.
 *
 * A failed hand-over (the destination was taken, its directory went away) comes after every byte
 * arrived and was synced: the task ends with resume data that owns the whole file, as any
 * non-retryable failure after valid bytes does (semantics section 2), so the app can finish it at
 * another destination without fetching it again. The hand-over is atomic, so the bytes are still
 * under the key; resume data is made only when they are all there.
 */
export async function performHandOver(runtime: SessionRuntime, record: TaskRecord): Promise<void> {
  const { byteStore, clock } = runtime.ports;
  const id = record.taskIdentifier;
  const handOver = record.handOver;
  const partKey = record.partKey;
  if (handOver === null || partKey === null) return;
  const destination = record.options.destination;
  let event: TaskEvent | ((current: TaskRecord) => TaskEvent);
  try {
    const result = await byteStore.handOver(partKey, {
      destination,
      suggestedName: destination?.type === 'path' ? null : handOver.target,
    });
    event = { type: 'handedOver', location: result.location, inStore: result.inStore, now: clock.now() };
  } catch (error) {
    const failure = error instanceof BgSessionError ? error : new BgSessionError('PermissionDenied', 'The hand-over failed.', { cause: error });
    const persisted = toPersistedError(failure);
    const whole = (await byteStore.length(partKey).catch(() => null)) === handOver.size;
    // Made when the event's turn comes, from the record as it is then (as a cancel's resume data).
    event = (current) => {
      const now = clock.now();
      return { type: 'handOverFailed', error: { ...persisted, resumeData: whole ? buildResumeData(runtime, current, now) : null }, now };
    };
  }
  await runtime.dispatch(id, event).catch(() => undefined);
}
