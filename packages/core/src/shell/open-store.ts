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

/** What the store held, decoded; what did not decode is reported, never thrown (invariant #17). */
export interface LoadedStore {
  readonly header: StoreHeader;
  readonly tasks: TaskRecord[];
  readonly outbox: OutboxEntry[];
  readonly resumeReferences: ResumeDataReference[];
  readonly problems: StoreProblem[];
  /** Keys of tasks whose records did not decode: their bytes are left alone. */
  readonly quarantined: ReadonlySet<string>;
}

/**
 * Decodes a store's contents for a session opened with `configuration`. A store written by a newer
 * schema, or for another identifier, is refused with a typed error; a corrupt header is rebuilt
 * from what survives so that no task identifier is ever reused (invariant #5).
 */
export function loadStore(contents: StoreContents, configuration: SessionConfiguration): LoadedStore {
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
  for (const [key, raw] of collection('tasks')) {
    const numeric = Number(key);
    if (Number.isSafeInteger(numeric)) highestId = Math.max(highestId, numeric);
    const decoded = decodeTaskRecord(raw, `tasks/${key}`);
    if (E.isRight(decoded)) {
      tasks.push(decoded.right);
      highestId = Math.max(highestId, decoded.right.taskIdentifier);
    } else {
      quarantined.add(key);
      problems.push({ code: decoded.left.code, path: decoded.left.path, message: decoded.left.message, collection: 'tasks', key });
    }
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
  return { header, tasks, outbox, resumeReferences, problems, quarantined };
}
