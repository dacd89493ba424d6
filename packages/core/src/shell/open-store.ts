import * as E from 'fp-ts/lib/Either.js';
import { decodeOutboxEntry } from '../codecs/outbox-entry-codec.js';
import { decodeResumeDataReference } from '../codecs/resume-data-codec.js';
import { decodeStoreHeader } from '../codecs/store-header-codec.js';
import { decodeTaskRecord } from '../codecs/task-record-codec.js';
import { BgSessionError } from '../errors/bg-session-error.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { ResumeDataReference } from '../model/resume-data.js';
import type { StoreHeader } from '../model/store-header.js';
import type { TaskRecord } from '../model/task-types.js';
import type { StoreContents, StoreProblem } from '../ports/store.js';
import { compactTaskRecord } from './compact-task-record.js';
import { RecordSharing } from './record-sharing.js';
import { headerReservation } from './header-reservation.js';

/** What the store held, decoded; what did not decode is reported, never thrown (invariant #17). */
export interface LoadedStore {
  readonly header: StoreHeader;
  readonly tasks: TaskRecord[];
  readonly outbox: OutboxEntry[];
  readonly resumeReferences: ResumeDataReference[];
  readonly problems: StoreProblem[];
  /** Keys of tasks whose records did not decode: their bytes are left alone. */
  readonly quarantined: ReadonlySet<string>;
  /** Task records left undecoded (`deferUnlisted`), for {@link decodeDeferredTasks}: no outbox entry names them. */
  readonly deferred: DeferredTasks;
}

/**
 * Task records not decoded yet: their keys, and the store's records to read them from. A journal
 * store parses a record when it is read, so a record read just before it is decoded is garbage
 * right after, instead of a parsed copy of every record held for the whole open (B5).
 */
export interface DeferredTasks {
  readonly keys: readonly string[];
  readonly records: ReadonlyMap<string, unknown>;
  /** What the records decoded so far share (see `compactTaskRecord`). */
  readonly sharing: RecordSharing;
}

/**
 * Decodes the deferred task records from `start` (up to `count` of them), as {@link decodeTasks}.
 *
 * @example
 * ```ts
 * const decoded = decodeDeferredTasks(loaded.deferred, 0, 1000);
 * ```
 */
export function decodeDeferredTasks(deferred: DeferredTasks, start: number, count: number): DecodedTasks {
  return decodeTasks(readEach(deferred, start, Math.min(deferred.keys.length, start + count)), deferred.sharing);
}

/** Each record read just before it is decoded, so that no more than one is held parsed at a time. */
function* readEach(deferred: DeferredTasks, start: number, end: number): Generator<readonly [string, unknown]> {
  for (let i = start; i < end; i += 1) {
    const key = deferred.keys[i] as string;
    yield [key, deferred.records.get(key)];
  }
}

/** Task records decoded by {@link decodeTasks}, with what did not decode. */
export interface DecodedTasks {
  readonly tasks: TaskRecord[];
  readonly problems: StoreProblem[];
  /** Keys of the records that did not decode. */
  readonly quarantined: string[];
  /** The highest task identifier a decoded record holds (0 if none). */
  readonly highestId: number;
}

/**
 * Decodes raw task records (`[key, value]`); what does not decode is reported and its key
 * quarantined, never thrown (invariant #17). Records decoded with the same `sharing` share their
 * equal parts.
 *
 * @example
 * ```ts
 * const { tasks, problems } = decodeTasks(loaded.deferred);
 * ```
 */
export function decodeTasks(entries: Iterable<readonly [string, unknown]>, sharing: RecordSharing = new RecordSharing()): DecodedTasks {
  const tasks: TaskRecord[] = [];
  const problems: StoreProblem[] = [];
  const quarantined: string[] = [];
  let highestId = 0;
  for (const [key, raw] of entries) {
    const decoded = decodeTaskRecord(raw, `tasks/${key}`);
    if (E.isRight(decoded)) {
      tasks.push(compactTaskRecord(decoded.right, sharing));
      highestId = Math.max(highestId, decoded.right.taskIdentifier);
    } else {
      quarantined.push(key);
      problems.push({ code: decoded.left.code, path: decoded.left.path, message: decoded.left.message, collection: 'tasks', key });
    }
  }
  return { tasks, problems, quarantined, highestId };
}

/**
 * Decodes a store's contents for a session opened with `configuration`. A store written by a newer
 * schema, or for another identifier, is refused with a typed error; a corrupt header is rebuilt
 * from what survives, and one that unreadable bytes may have left behind is moved past what they
 * could hold, so that no task identifier or sequence number is ever reused (invariant #5). Every
 * record the store reports lost is left out: a task is quarantined (its key still counts), an
 * outbox entry is never delivered (its sequence still counts). With `deferUnlisted`,
 * only the task records an outbox entry names are decoded, the others left in `deferred`, so the
 * events that ended while no app listened can be delivered before 100,000 queued tasks are (B5).
 */
export function loadStore(contents: StoreContents, configuration: SessionConfiguration, deferUnlisted = false): LoadedStore {
  const problems: StoreProblem[] = [...contents.problems];
  // A store written by a newer version cannot be written safely by this one: refuse to open it.
  const newer = problems.find((problem) => problem.code === 'UnsupportedStoreVersion');
  if (newer !== undefined) throw new BgSessionError('UnsupportedStoreVersion', newer.message, { path: newer.path });
  const quarantined = new Set<string>();
  const collection = (name: 'tasks' | 'outbox' | 'resumeData') => contents.records.get(name) ?? new Map<string, unknown>();

  const tasks: TaskRecord[] = [];
  let highestId = 0;
  let highestSequence = 0;
  // Records the store itself could not read (not JSON) are quarantined like those that do not
  // decode: their bytes are kept, and their keys still count, so no identifier is reused (#5).
  for (const problem of contents.problems) {
    const numeric = Number(problem.key);
    if (problem.collection === 'tasks' && problem.key !== undefined) {
      quarantined.add(problem.key);
      if (Number.isSafeInteger(numeric)) highestId = Math.max(highestId, numeric);
    }
    if (problem.collection === 'outbox' && problem.key !== undefined && Number.isSafeInteger(numeric)) highestSequence = Math.max(highestSequence, numeric);
  }
  const outbox: OutboxEntry[] = [];
  for (const [key, raw] of collection('outbox')) {
    const decoded = decodeOutboxEntry(raw, `outbox/${key}`);
    if (E.isRight(decoded)) {
      outbox.push(decoded.right);
      highestSequence = Math.max(highestSequence, decoded.right.sequence);
    } else {
      const numeric = Number(key);
      if (Number.isSafeInteger(numeric)) highestSequence = Math.max(highestSequence, numeric);
      problems.push({ code: decoded.left.code, path: decoded.left.path, message: decoded.left.message, collection: 'outbox', key });
    }
  }
  const listed = new Set(outbox.map((entry) => (entry.payload.type === 'sessionDidBecomeInvalid' ? '' : String(entry.payload.taskIdentifier))));
  const taskRecords = collection('tasks');
  const first: Array<readonly [string, unknown]> = [];
  const deferred: string[] = [];
  // Keys only: a record's value is read (and, from a journal, parsed) when it is decoded.
  for (const key of taskRecords.keys()) {
    const numeric = Number(key);
    // Every key counts, decoded or not, so no identifier is reused (#5).
    if (Number.isSafeInteger(numeric)) highestId = Math.max(highestId, numeric);
    if (!deferUnlisted || listed.has(key)) first.push([key, taskRecords.get(key)]);
    else deferred.push(key);
  }
  const sharing = new RecordSharing();
  const decodedTasks = decodeTasks(first, sharing);
  tasks.push(...decodedTasks.tasks);
  problems.push(...decodedTasks.problems);
  for (const key of decodedTasks.quarantined) quarantined.add(key);
  highestId = Math.max(highestId, decodedTasks.highestId);
  const resumeReferences: ResumeDataReference[] = [];
  for (const [key, raw] of collection('resumeData')) {
    const decoded = decodeResumeDataReference(raw, `resumeData/${key}`);
    if (E.isRight(decoded)) resumeReferences.push(decoded.right);
    else problems.push({ code: decoded.left.code, path: decoded.left.path, message: decoded.left.message, collection: 'resumeData', key });
  }

  let header: StoreHeader;
  let headersLost = 0;
  if (contents.header === null || contents.header === undefined) {
    header = { identifier: configuration.identifier, configuration, highestTaskIdentifier: highestId, highestSequence, lifecycle: 'active' };
  } else {
    const decoded = decodeStoreHeader(contents.header, 'header');
    if (E.isLeft(decoded)) {
      if (decoded.left.code === 'UnsupportedStoreVersion') {
        throw new BgSessionError('UnsupportedStoreVersion', decoded.left.message, { path: decoded.left.path });
      }
      problems.push({ code: 'CorruptRecord', path: decoded.left.path, message: `${decoded.left.message}; the header was rebuilt from the records` });
      header = { identifier: configuration.identifier, configuration, highestTaskIdentifier: highestId, highestSequence, lifecycle: 'active' };
      headersLost += 1;
    } else {
      const stored = decoded.right;
      if (stored.identifier !== configuration.identifier) {
        throw new BgSessionError('InvalidConfiguration', `identifier: the store belongs to session "${stored.identifier}"`, { field: 'identifier' });
      }
      // An invalidated session can be opened again as a new one once its outbox has drained.
      const lifecycle = stored.lifecycle === 'invalidated' && outbox.length === 0 ? 'active' : stored.lifecycle;
      header = {
        ...stored,
        configuration,
        lifecycle,
        highestTaskIdentifier: Math.max(stored.highestTaskIdentifier, highestId),
        highestSequence: Math.max(stored.highestSequence, highestSequence),
      };
    }
  }
  // A header the store reports lost (its frame's values unreadable, or bytes after it) or that did
  // not decode may have counted more than what survives: the identifiers and sequence numbers of
  // records deleted since, and of the blocks it reserved (ADR 28), which no key shows any more.
  headersLost += contents.problems.filter((problem) => problem.code === 'CorruptRecord' && problem.path === 'header').length;
  if (headersLost > 0) {
    const hidden = hiddenByDamage(contents.problems);
    // A margin also covers records deleted since the last header that survives, whose number no
    // byte tells, and the gaps of calls refused while a later one was being created (identifiers
    // and sequence numbers are never promised dense).
    header = {
      ...header,
      highestTaskIdentifier: Math.min(Number.MAX_SAFE_INTEGER, header.highestTaskIdentifier + hidden + headersLost * headerReservation.identifiers + lostHeaderMargin),
      highestSequence: Math.min(Number.MAX_SAFE_INTEGER, header.highestSequence + hidden + headersLost * headerReservation.sequences + lostHeaderMargin),
    };
  }
  return { header, tasks, outbox, resumeReferences, problems, quarantined, deferred: { keys: deferred, records: taskRecords, sharing } };
}

/**
 * How far past what survives the counters move when a header is lost: records deleted after the
 * last header that survives leave no key, and creations refused while a later creation was in
 * flight each leave an identifier no record holds (task-creation.ts). No app deletes, or has
 * refused, a million of them between two headers.
 */
const lostHeaderMargin = 1 << 20;

/**
 * How many task identifiers and event sequence numbers the store's damage may hide from its
 * header. A store reports bytes it could not read, whose records are unknown, as a problem with
 * no key at `journal@<start>-<end>`; when it also reports the header out of date (a `header`
 * problem: those bytes came after it), they may have issued identifiers and sequence numbers the
 * header does not count, and no more than their length (a record takes more than a byte). Moving
 * past them keeps both from being issued twice (invariant #5). The header written next counts
 * them, so the store stops reporting it out of date and the jump is not repeated.
 */
function hiddenByDamage(problems: readonly StoreProblem[]): number {
  let bytes = 0;
  for (const problem of problems) {
    const range = problem.key === undefined ? /^journal@(\d+)-(\d+)$/.exec(problem.path) : null;
    if (range !== null) bytes += Math.max(0, Number(range[2]) - Number(range[1]));
  }
  return bytes;
}
