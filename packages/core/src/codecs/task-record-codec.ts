import type * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { TaskRecord } from '../model/task-types.js';
import type { DecodeFailure } from './decode-error.js';
import { compactField, omitted, withDefaults, type Defaults } from './default-fields.js';
import { hasOwn, isPlainObject } from './plain-object.js';
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

/** The record's fields with their codecs, in the order they are written. */
const taskRecordFields: ReadonlyArray<readonly [string, t.Mixed]> = Object.entries(taskRecordCodec.required);

/** Per field, the stored form of object values already encoded, by identity. */
type EncodedFields = Map<string, WeakMap<object, unknown>>;

/** Encodes task records as {@link encodeTaskRecord} does, for one session. */
export type TaskRecordEncoder = (record: TaskRecord) => Readonly<Record<string, unknown>>;

/**
 * A task record encoder that remembers the stored form of the object fields it encoded, by
 * identity. A step replaces only the parts of a record it changes and shares the rest with the
 * record before it (records are never changed in place), so the request, the options and most
 * accounts are encoded once per task, not at every commit (B3). One per session (no module-level
 * state: the simulator runs many worlds in one process). The nested objects of its results are
 * shared with earlier results: read them, never change them.
 *
 * @example
 * ```ts
 * const encode = createTaskRecordEncoder();
 * const value = encode(record); // the same value encodeTaskRecord(record) gives
 * ```
 */
export function createTaskRecordEncoder(): TaskRecordEncoder {
  const encoded: EncodedFields = new Map(taskRecordFields.map(([key]) => [key, new WeakMap()]));
  return (record) => encodeFields(record, encoded);
}

/**
 * A task record as JSON-compatible data for the Store (`{ schemaVersion: 1, ...fields }`, fields
 * that hold their default left out).
 *
 * @example
 * ```ts
 * const value = encodeTaskRecord(record);
 * store.commit({ operations: [{ type: 'put', collection: 'tasks', key: '42', value }], durability: 'strict' });
 * ```
 */
export function encodeTaskRecord(record: TaskRecord): Readonly<Record<string, unknown>> {
  return encodeFields(record, null);
}

function encodeFields(record: TaskRecord, encoded: EncodedFields | null): Readonly<Record<string, unknown>> {
  const source = record as unknown as Readonly<Record<string, unknown>>;
  const stored: Record<string, unknown> = { schemaVersion: taskRecords.version };
  for (const [key, codec] of taskRecordFields) {
    // The current request is written only when a redirect made it differ from the original.
    if (key === 'currentRequest' && record.currentRequest === record.originalRequest) continue;
    const field = storedField(key, codec, source[key], encoded?.get(key));
    if (field !== omitted) stored[key] = field;
  }
  if (isPlainObject(stored['currentRequest']) && JSON.stringify(record.currentRequest) === JSON.stringify(record.originalRequest)) {
    delete stored['currentRequest'];
  }
  return stored;
}

/** One field's stored form: encoded, its defaults left out (`omitted` when it is the default). */
function storedField(key: string, codec: t.Mixed, value: unknown, known: WeakMap<object, unknown> | undefined): unknown {
  if (typeof value !== 'object' || value === null) return compactField(codec.encode(value), taskRecordDefaults, key);
  const cached = known?.get(value);
  if (cached !== undefined) return cached;
  const field = compactField(codec.encode(value), taskRecordDefaults, key);
  known?.set(value, field);
  return field;
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
  const full = withDefaults(raw, taskRecordDefaults);
  if (isPlainObject(full) && !hasOwn(full, 'currentRequest') && hasOwn(full, 'originalRequest')) {
    return taskRecords.decode({ ...full, currentRequest: full['originalRequest'] }, at);
  }
  return taskRecords.decode(full, at);
}

/**
 * The fields a stored task record may leave out because they hold these values (see
 * `default-fields.ts`). Changing a value here changes what old records decode to: only add.
 */
const taskRecordDefaults: Defaults = {
  taskKey: null,
  taskDescription: null,
  reason: null,
  redirectCount: 0,
  originalRequest: { method: 'GET', headers: {} },
  options: {
    timeoutForRequest: 60_000,
    timeoutForResource: 604_800_000,
    allowsExpensiveNetwork: true,
    allowsConstrainedNetwork: true,
    discretionary: false,
    priority: 0.5,
    idempotent: true,
    integrity: null,
    earliestBeginDate: null,
    countOfBytesClientExpectsToSend: null,
    countOfBytesClientExpectsToReceive: null,
    destination: null,
    maxDataTaskBytes: 8_388_608,
  },
  body: null,
  attempts: { started: 0, spent: 0, backoffExponent: 0, restartsInARow: 0, staleRetryUsed: false, startRecorded: false, madeProgress: false },
  dueAt: null,
  checkpoint: null,
  progress: { countOfBytesSent: 0, countOfBytesExpectedToSend: 0, countOfBytesReceived: 0, countOfBytesExpectedToReceive: -1 },
  handOver: null,
  response: null,
  lastRestart: null,
  integrityRestartUsed: false,
  fetchedFromZero: false,
  suggestedName: null,
  error: null,
  endedAt: null,
  waitingNotified: false,
  credentialHeaders: [],
};
