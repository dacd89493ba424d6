import { decodeOutboxEntry, decodeTaskRecord, type Store } from '@bgsession/core';
import { committedTaskFields, type CommittedTaskFields } from './committed-task-fields.js';
import type { Trace } from './trace.js';
import type { CommittedEvent, CommittedTask } from './trace-entry.js';

/**
 * Wraps a session's Store so that every commit that resolves is written into the trace with what it
 * made durable: task records (identifier, phase, checkpoint, part key), outbox entries put (new
 * durable events) and deleted (acknowledgements), resume-data references kept and removed. The
 * invariant checkers rely on it to tell what was committed from what was only attempted. A removal
 * still in flight when its host was killed is written when the next open of the session finds it
 * took effect (acknowledgements are pipelined, ADR 15, so a kill often finds one in flight).
 *
 * @example
 * ```ts
 * const store = recordingStore(createJournalStore({ fs, directory }), trace, 'app');
 * ```
 *
 * `onTaskRecord`, when given, sees the fields of each task record a resolved commit wrote, read once here.
 */
export function recordingStore(store: Store, trace: Trace, session: string, onTaskRecord?: (task: CommittedTaskFields) => void): Store {
  const pending = pendingRemovals(trace, session);
  return {
    capabilities: store.capabilities,
    async open() {
      const contents = await store.open();
      // Removals a killed host had asked for and not seen resolve: those its journal write carried
      // (a kill keeps written bytes) are committed after all, as this open shows.
      const acknowledged = [...pending.outbox].filter((sequence) => contents.records.get('outbox')?.has(String(sequence)) !== true);
      const removedTasks = [...pending.tasks].filter((id) => contents.records.get('tasks')?.has(String(id)) !== true);
      pending.outbox.clear();
      pending.tasks.clear();
      if (acknowledged.length > 0 || removedTasks.length > 0) trace.add({ kind: 'commit', session, durability: 'strict', tasks: [], removedTasks, events: [], acknowledged });
      return contents;
    },
    close: () => store.close(),
    async commit(batch) {
      const removals = batch.operations.filter((operation) => operation.type === 'delete' && (operation.collection === 'outbox' || operation.collection === 'tasks'));
      for (const removal of removals) (removal.collection === 'outbox' ? pending.outbox : pending.tasks).add(Number(removal.key));
      await store.commit(batch);
      for (const removal of removals) (removal.collection === 'outbox' ? pending.outbox : pending.tasks).delete(Number(removal.key));
      const tasks: CommittedTask[] = [];
      const removedTasks: number[] = [];
      const events: CommittedEvent[] = [];
      const acknowledged: number[] = [];
      const resumeData: { partKey: string; kept: boolean }[] = [];
      for (const operation of batch.operations) {
        if (operation.collection === 'resumeData') resumeData.push({ partKey: operation.key, kept: operation.type === 'put' });
        if (operation.collection === 'tasks') {
          if (operation.type === 'delete') removedTasks.push(Number(operation.key));
          else {
            const fields = taskFields(operation.value);
            if (fields !== null) {
              onTaskRecord?.(fields);
              const { taskIdentifier, phase, checkpoint, restart, partKey } = fields;
              tasks.push({ taskIdentifier, phase, checkpoint, restart, partKey });
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
      trace.add({ kind: 'commit', session, durability: batch.durability, tasks, removedTasks, events, acknowledged, ...(resumeData.length === 0 ? {} : { resumeData }) });
    },
  };
}

/** Outbox entries and tasks a session's host asked to remove and has not seen committed yet. */
interface PendingRemovals {
  readonly outbox: Set<number>;
  readonly tasks: Set<number>;
}

// Kept beside the trace, not in one generation's store: the next generation's open settles them.
const pendingByTrace = new WeakMap<Trace, Map<string, PendingRemovals>>();

function pendingRemovals(trace: Trace, session: string): PendingRemovals {
  const sessions = pendingByTrace.get(trace) ?? new Map<string, PendingRemovals>();
  pendingByTrace.set(trace, sessions);
  const pending = sessions.get(session) ?? { outbox: new Set<number>(), tasks: new Set<number>() };
  sessions.set(session, pending);
  return pending;
}

/** The record's fields; a record the light reader does not recognise is decoded whole (null when it is not a task record). */
function taskFields(value: unknown): CommittedTaskFields | null {
  const light = committedTaskFields(value);
  if (light !== null) return light;
  const decoded = decodeTaskRecord(value);
  if (decoded._tag === 'Left') return null;
  const { taskIdentifier, phase, checkpoint, dueAt, lastRestart, partKey } = decoded.right;
  return { taskIdentifier, phase, checkpoint: checkpoint?.offset ?? null, dueAt, restart: lastRestart, partKey };
}
