import { toPersistedError } from '../codecs/persisted-error-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { TaskRecord } from '../model/task-types.js';
import type { SessionRuntime } from './session-runtime.js';

/**
 * Moves a finished download to where the app wants it, after the size and hash were recorded
 * (`handingOver`). On a relaunch it runs again: if the bytes already left the store and the
 * destination holds the recorded size, the end is committed instead of downloading again.
 */
export async function performHandOver(runtime: SessionRuntime, record: TaskRecord): Promise<void> {
  const { byteStore, clock } = runtime.ports;
  const handOver = record.handOver;
  const id = record.taskIdentifier;
  if (handOver === null || record.partKey === null) return;
  const destination = record.options.destination;
  try {
    const kept = await byteStore.length(record.partKey);
    if (kept === null && destination?.type === 'path' && (await byteStore.locationSize(destination.path)) === handOver.size) {
      await runtime.dispatch(id, { type: 'handedOver', location: destination.path, inStore: false, now: clock.now() });
      return;
    }
    const result = await byteStore.handOver(record.partKey, {
      destination,
      suggestedName: destination?.type === 'path' ? null : handOver.target,
    });
    await runtime.dispatch(id, { type: 'handedOver', location: result.location, inStore: result.inStore, now: clock.now() });
  } catch (error) {
    const failure = error instanceof BgSessionError ? error : new BgSessionError('PermissionDenied', 'The hand-over failed.', { cause: error });
    if (failure.code === 'StoreFailed') return runtime.fail(failure);
    await runtime.dispatch(id, { type: 'handOverFailed', error: toPersistedError(failure), now: clock.now() }).catch(() => undefined);
  }
}
