import type * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { TaskRecord } from '../model/task-types.js';
import type { DecodeFailure } from './decode-error.js';
import { taskRecordV1Codec } from './task-record-fields.js';
import type { Assert, Equals } from './type-equality.js';
import { versionedRecord } from './versioned-record.js';

/** The current task record codec (fields only; the stored form adds `schemaVersion`). */
export const taskRecordCodec = taskRecordV1Codec;

type _TaskRecordMatches = Assert<Equals<t.TypeOf<typeof taskRecordCodec>, TaskRecord>>;

/**
 * Stored task records: `{ schemaVersion: 1, ...TaskRecord }`. Version 1 is the first ever
 * written, so there is no legacy decoder yet.
 */
export const taskRecords = versionedRecord({ name: 'a task record', version: 1, codec: taskRecordCodec, legacy: [] });

/**
 * A task record as JSON-compatible data for the Store (`{ schemaVersion: 1, ...fields }`).
 *
 * @example
 * ```ts
 * const value = encodeTaskRecord(record);
 * store.commit({ operations: [{ type: 'put', collection: 'tasks', key: '42', value }], durability: 'strict' });
 * ```
 */
export function encodeTaskRecord(record: TaskRecord): Readonly<Record<string, unknown>> {
  return taskRecords.encode(record);
}

/**
 * Decodes a stored task record; `at` (e.g. `tasks/42`) prefixes the failure's path. Never throws.
 *
 * @example
 * ```ts
 * const result = decodeTaskRecord(raw, 'tasks/42');
 * if (E.isLeft(result)) quarantine(result.left); // { code: 'CorruptRecord', path: 'tasks/42.checkpoint.offset', ... }
 * ```
 */
export function decodeTaskRecord(raw: unknown, at?: string): E.Either<DecodeFailure, TaskRecord> {
  return taskRecords.decode(raw, at);
}
