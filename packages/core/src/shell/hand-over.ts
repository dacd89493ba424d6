import { toPersistedError } from '../codecs/persisted-error-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { TaskRecord } from '../model/task-types.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * Moves a finished download to where the app wants it, after the size and hash were recorded
 * (`handingOver`). On a relaunch it runs again: the ByteStore's hand-over is idempotent (a key
 * already handed over answers where its bytes went), so the end is committed instead of
 * downloading again. A hand-over that fails ends that task, never the session.
 */
export async function performHandOver(runtime: SessionRuntime, record: TaskRecord): Promise<void> {
  const { byteStore, clock } = runtime.ports;
  const id = record.taskIdentifier;
  if (record.handOver === null || record.partKey === null) return;
  const destination = record.options.destination;
  let event;
  try {
    const result = await byteStore.handOver(record.partKey, {
      destination,
      suggestedName: destination?.type === 'path' ? null : record.handOver.target,
    });
    event = { type: 'handedOver' as const, location: result.location, inStore: result.inStore, now: clock.now() };
  } catch (error) {
    const failure = error instanceof BgSessionError ? error : new BgSessionError('PermissionDenied', 'The hand-over failed.', { cause: error });
    event = { type: 'handOverFailed' as const, error: toPersistedError(failure), now: clock.now() };
  }
  await runtime.dispatch(id, event).catch(() => undefined);
}
