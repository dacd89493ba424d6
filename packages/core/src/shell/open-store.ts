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

/** What the store held, decoded; what did not decode is reported, never thrown (invariant #17). */
export interface LoadedStore {
  readonly header: StoreHeader;
  readonly tasks: TaskRecord[];
  readonly outbox: OutboxEntry[];
  readonly resumeReferences: ResumeDataReference[];
  readonly problems: StoreProblem[];
  /** Keys of tasks whose records did not decode: their bytes are left alone. */
  readonly quarantined: ReadonlySet<string>;
  /** Task records left undecoded (`deferUnlisted`), for {@link decodeTasks}: no outbox entry names them. */
  readonly deferred: ReadonlyArray<readonly [string, unknown]>;
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
 * quarantined, never thrown (invariant #17).
 *
 * @example
 * ```ts
 * const { tasks, problems } = decodeTasks(loaded.deferred);
 * ```
 */
export function decodeTasks(entries: Iterable<readonly [string, unknown]>): DecodedTasks {
  const tasks: TaskRecord[] = [];
  const problems: StoreProblem[] = [];
  const quarantined: string[] = [];
  let highestId = 0;
  for (const [key, raw] of entries) {
    const decoded = decodeTaskRecord(raw, `tasks/${key}`);
    if (E.isRight(decoded)) {
      tasks.push(compactTaskRecord(decoded.right));
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
 * from what survives so that no task identifier is ever reused (invariant #5). With `deferUnlisted`,
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
  const first: Array<readonly [string, unknown]> = [];
  const deferred: Array<readonly [string, unknown]> = [];
  for (const entry of collection('tasks')) {
    const numeric = Number(entry[0]);
    // Every key counts, decoded or not, so no identifier is reused (#5).
    if (Number.isSafeInteger(numeric)) highestId = Math.max(highestId, numeric);
    (!deferUnlisted || listed.has(entry[0]) ? first : deferred).push(entry);
  }
  const decodedTasks = decodeTasks(first);
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
  return { header, tasks, outbox, resumeReferences, problems, quarantined, deferred };
}
