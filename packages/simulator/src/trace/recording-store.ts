import { decodeOutboxEntry, decodeTaskRecord, type Store } from '@bgsession/core';
import { committedTaskFields, type CommittedTaskFields } from './committed-task-fields.js';
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
 * `onTaskRecord`, when given, sees the fields of each task record a resolved commit wrote, read once here.
 */
export function recordingStore(store: Store, trace: Trace, session: string, onTaskRecord?: (task: CommittedTaskFields) => void): Store {
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
            const fields = taskFields(operation.value);
            if (fields !== null) {
              onTaskRecord?.(fields);
              tasks.push({ taskIdentifier: fields.taskIdentifier, phase: fields.phase, checkpoint: fields.checkpoint });
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

/** The record's fields; a record the light reader does not recognise is decoded whole (null when it is not a task record). */
function taskFields(value: unknown): CommittedTaskFields | null {
  const light = committedTaskFields(value);
  if (light !== null) return light;
  const decoded = decodeTaskRecord(value);
  if (decoded._tag === 'Left') return null;
  const { taskIdentifier, phase, checkpoint, dueAt } = decoded.right;
  return { taskIdentifier, phase, checkpoint: checkpoint?.offset ?? null, dueAt };
}
