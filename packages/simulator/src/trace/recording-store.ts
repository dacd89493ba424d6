import { decodeOutboxEntry, decodeTaskRecord, type Store, type TaskRecord } from '@bgsession/core';
import type { Trace } from './trace.js';
import type { CommittedEvent, CommittedTask } from './trace-entry.js';

/**
 * Wraps a session's Store so that every commit that resolves is written into the trace with what
 * it made durable: task records (identifier, phase, checkpoint), outbox entries put (new durable
 * events) and deleted (acknowledgements). The invariant checkers rely on it to tell what was
 * committed from what was only attempted.
 *
 * @example
 * ```ts
 * const store = recordingStore(createJournalStore({ fs, directory }), trace, 'app');
 * ```
 *
 * `onTaskRecord`, when given, sees each task record a resolved commit wrote, decoded once here.
 */
export function recordingStore(store: Store, trace: Trace, session: string, onTaskRecord?: (record: TaskRecord) => void): Store {
  return {
    capabilities: store.capabilities,
    open: () => store.open(),
    close: () => store.close(),
    async commit(batch) {
      await store.commit(batch);
      const tasks: CommittedTask[] = [];
      const removedTasks: number[] = [];
      const events: CommittedEvent[] = [];
      const acknowledged: number[] = [];
      for (const operation of batch.operations) {
        if (operation.collection === 'tasks') {
          if (operation.type === 'delete') removedTasks.push(Number(operation.key));
          else {
            const decoded = decodeTaskRecord(operation.value);
            if (decoded._tag === 'Right') {
              const record = decoded.right;
              onTaskRecord?.(record);
              tasks.push({ taskIdentifier: record.taskIdentifier, phase: record.phase, checkpoint: record.checkpoint?.offset ?? null });
            }
          }
        } else if (operation.collection === 'outbox') {
          if (operation.type === 'delete') acknowledged.push(Number(operation.key));
          else {
            const decoded = decodeOutboxEntry(operation.value);
            if (decoded._tag === 'Right') {
              const { eventId, sequence, payload } = decoded.right;
              events.push({ sequence, eventId, type: payload.type, taskIdentifier: 'taskIdentifier' in payload ? payload.taskIdentifier : null });
            }
          }
        }
      }
      trace.add({ kind: 'commit', session, durability: batch.durability, tasks, removedTasks, events, acknowledged });
    },
  };
}
