import type { TaskStepResult } from '../machines/task-step-result.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { ResumeDataReference } from '../model/resume-data.js';
import type { StoreHeader } from '../model/store-header.js';
import type { StoreOperation } from '../ports/store.js';
import { encodeOutboxEntry } from '../codecs/outbox-entry-codec.js';
import { encodeResumeDataReference } from '../codecs/resume-data-codec.js';
import type { TaskRecordEncoder } from '../codecs/task-record-codec.js';
import { encodeTask } from './persistence.js';

/** One step's commit: the record with what must be atomic with it. */
export interface StepBatch {
  readonly operations: StoreOperation[];
  /** The outbox entries it adds (with their ids and sequence numbers). */
  readonly entries: OutboxEntry[];
  readonly references: ResumeDataReference[];
  /** The header with the sequence numbers it used. */
  readonly header: StoreHeader;
  /** Whether the step ends the task: the commit is then strict (semantics section 7). */
  readonly ends: boolean;
}

/**
 * Builds the atomic batch for a step (semantics section 3): a task's end enters the store together
 * with its outbox entries, each given a random `eventId` and the next sequence number; kept bytes
 * that become resume data get their reference in the same commit.
 */
export function stepBatch(result: TaskStepResult, header: StoreHeader, configuration: SessionConfiguration, now: number, eventId: () => string, encode: TaskRecordEncoder): StepBatch {
  const { record, effects } = result;
  const operations: StoreOperation[] = [{ type: 'put', collection: 'tasks', key: String(record.taskIdentifier), value: encodeTask(record, configuration, encode) }];
  const entries: OutboxEntry[] = [];
  const references: ResumeDataReference[] = [];
  let next = header;
  let ends = false;
  for (const effect of effects) {
    if (effect.type === 'end') {
      for (const payload of effect.events) {
        next = { ...next, highestSequence: next.highestSequence + 1 };
        const entry: OutboxEntry = { eventId: eventId(), sequence: next.highestSequence, committedAt: now, payload };
        entries.push(entry);
        operations.push({ type: 'put', collection: 'outbox', key: String(entry.sequence), value: encodeOutboxEntry(entry) });
      }
      ends = true;
    } else if (effect.type === 'produceResumeData' && record.partKey !== null && record.checkpoint !== null) {
      const reference: ResumeDataReference = { partKey: record.partKey, expiresAt: now + configuration.resumeDataLifetime, bytesKept: record.checkpoint.offset };
      references.push(reference);
      operations.push({ type: 'put', collection: 'resumeData', key: record.partKey, value: encodeResumeDataReference(reference) });
    }
  }
  return { operations, entries, references, header: next, ends };
}
