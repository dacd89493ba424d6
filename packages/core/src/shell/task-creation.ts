import * as E from 'fp-ts/lib/Either.js';
import { decodeResumeData } from '../codecs/resume-data-codec.js';
import { BgSessionError, isBgSessionError } from '../errors/bg-session-error.js';
import { newTaskRecord, type NewTaskInput } from '../machines/new-task-record.js';
import type { HeaderMap } from '../model/http.js';
import type { ResumeData } from '../model/resume-data.js';
import { stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import { fastStep } from './fast-step.js';
import { originOf } from './origin-of.js';
import type { BodySource, TaskKind } from '../model/task-types.js';
import type { StoreOperation } from '../ports/store.js';
import { encodeTask } from './persistence.js';
import type { SessionRuntime } from './session-runtime.js';
import type { Task } from './session-types.js';
import { TaskHandle } from './task-handle.js';
import { resolveTaskInput, type ResolvedTaskInput } from './task-input.js';
import { uploadSourceOf } from './upload-source.js';

/**
 * Creates tasks: validates the app's input, gives the task its never-reused identifier, and
 * commits it durably (with its `resume` when it is created running) before returning its handle.
 * Holds the handles and the `taskKey` index.
 */
export class TaskCreation {
  readonly handles = new Map<number, TaskHandle>();
  private readonly byKey = new Map<string, number>();
  /**
   * Creations with a `taskKey` still committing: a second call with the same key waits for the
   * first instead of creating a duplicate (an app that cannot tell whether its creation landed).
   */
  private readonly creating = new Map<string, Promise<Task>>();
  /** Every creation between its call and its task's adoption (or its refusal). */
  private readonly inserting = new Set<Promise<unknown>>();

  constructor(private readonly runtime: SessionRuntime) {}

  /**
   * Resolves once every creation called so far has its task in `tasks()` or was refused: an
   * invalidation that began meanwhile must see them, or a task created a moment before it would
   * escape it (run in an invalidated session, or stay `created` forever).
   */
  async settled(): Promise<void> {
    while (this.inserting.size > 0) await Promise.allSettled([...this.inserting]);
  }

  /** A task loaded from the store. */
  loaded(taskIdentifier: number, taskKey: string | null): void {
    this.handles.set(taskIdentifier, new TaskHandle(this.runtime, taskIdentifier));
    if (taskKey !== null) this.byKey.set(taskKey, taskIdentifier);
  }

  /** A task whose record left the store. */
  forgotten(taskIdentifier: number, taskKey: string | null): TaskHandle | undefined {
    const handle = this.handles.get(taskIdentifier);
    this.handles.delete(taskIdentifier);
    if (taskKey !== null && this.byKey.get(taskKey) === taskIdentifier) this.byKey.delete(taskKey);
    return handle;
  }

  /** `session.download(string)`: a URL, or resume data; or options, with `resumeData` among them or not. */
  download(input: unknown): Promise<Task> {
    if (typeof input === 'string') return looksLikeUrl(input) ? this.create('download', { url: input }) : this.fromResumeData(input, {});
    if (input instanceof URL) return this.create('download', { url: input });
    if (typeof input === 'object' && input !== null && 'resumeData' in input) {
      const { resumeData, ...options } = input as Readonly<Record<string, unknown>>;
      // `resumeData: undefined` (an app's options built with nothing to resume) is a plain download.
      return resumeData === undefined ? this.create('download', options) : this.fromResumeData(resumeData, options);
    }
    return this.create('download', input);
  }

  async create(kind: TaskKind, input: unknown): Promise<Task> {
    this.assertOpen();
    const resolved = resolveTaskInput(kind, input, this.runtime.configuration, this.runtime.ports.hasher !== undefined);
    // A taskKey is looked up as things are at the call: a task whose owed event is acknowledged
    // meanwhile is still the one the app asked for.
    const known = resolved.taskKey === null ? undefined : this.keyed(kind, resolved.taskKey);
    if (known !== undefined) return known;
    // Bad input is refused at once; a new task waits for the stored ones to join: its taskKey may
    // name one not decoded yet, and its identifier must follow theirs.
    return this.runtime.afterLoad(() => this.createResolved(kind, resolved));
  }

  /** The task a `taskKey` names, or the creation under it still committing; undefined when none. */
  private keyed(kind: TaskKind, key: string): Promise<Task> | undefined {
    const existing = this.byKey.get(key);
    const handle = existing === undefined || this.gaveKeyAway(existing) ? undefined : this.handles.get(existing);
    if (handle !== undefined) return Promise.resolve(handle).then((task) => sameKind(task, kind, key));
    return this.creating.get(key)?.then((task) => sameKind(task, kind, key));
  }

  /**
   * While stored tasks join after an open: whether the task holding a key ended with resume data,
   * whose task, made from it, holds the key now but may not be decoded yet. The key is then looked
   * up once every task has joined.
   */
  private gaveKeyAway(taskIdentifier: number): boolean {
    return this.runtime.loading !== null && this.runtime.records.get(taskIdentifier)?.error?.resumeData != null;
  }

  private async createResolved(kind: TaskKind, resolved: ResolvedTaskInput): Promise<Task> {
    this.assertOpen();
    const key = resolved.taskKey;
    if (key === null) return this.insert(kind, resolved, undefined);
    return this.keyed(kind, key) ?? this.underKey(key, this.insert(kind, resolved, undefined));
  }

  /** A creation under a `taskKey`: a second call with the key while it commits gets the same task. */
  private async underKey(key: string, creation: Promise<Task>): Promise<Task> {
    this.creating.set(key, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(key);
    }
  }

  private async fromResumeData(value: unknown, options: Readonly<Record<string, unknown>>): Promise<Task> {
    this.runtime.assertUsable();
    const decoded = decodeResumeData(value);
    if (E.isLeft(decoded)) throw decoded.left;
    const data = decoded.right;
    for (const field of ['url', 'method']) {
      if (field in options) throw new BgSessionError('InvalidArgument', `${field}: a download made from resume data takes it from the resume data`, { field });
    }
    // The request comes from the resume data; `headers` may bring only credentials (the sensitive
    // headers it names, which it never holds).
    const credentials = options['headers'];
    if (credentials !== undefined) {
      const sensitive = this.runtime.configuration.sensitiveHeaders;
      const isMap = typeof credentials === 'object' && credentials !== null && !Array.isArray(credentials);
      // What stripping the sensitive headers leaves is what the call may not give.
      const other = isMap ? Object.keys(stripSensitiveHeaders(credentials as HeaderMap, sensitive))[0] : undefined;
      if (!isMap || other !== undefined) {
        throw new BgSessionError('InvalidArgument', `headers: a download made from resume data takes only credentials (${sensitive.join(', ')}) here${other === undefined ? '' : `, not ${other}`}`, { field: 'headers' });
      }
    }
    // The options are checked before the resume data's bytes are taken, as for any download.
    const headers = { ...data.currentRequest.headers, ...(credentials as Readonly<Record<string, string>> | undefined) };
    const resolved = resolveTaskInput('download', { ...options, url: data.originalUrl, headers }, this.runtime.configuration, this.runtime.ports.hasher !== undefined);
    // Looked up at the call, as for any download, and again once the stored tasks have joined.
    const known = this.keyedForResumeData(data, resolved.taskKey);
    if (known !== undefined) return known;
    return this.runtime.afterLoad(() => this.fromResolvedResumeData(data, resolved));
  }

  /**
   * A key already on a task gives that task, as for any download (an app that cannot tell whether
   * its call landed calls again, and the resume data's bytes are that task's now); except the task
   * that gave these bytes to the resume data: its key passes to the new one.
   */
  private keyedForResumeData(data: ResumeData, key: string | null): Promise<Task> | undefined {
    if (key === null) return undefined;
    const pending = this.creating.get(key);
    if (pending !== undefined) return pending.then((task) => sameKind(task, 'download', key));
    const existing = this.byKey.get(key);
    if (existing !== undefined && this.gaveKeyAway(existing)) return undefined;
    const record = existing === undefined ? undefined : this.runtime.records.get(existing);
    const giver = record !== undefined && record.partKey === data.partKey && record.error?.resumeData != null;
    const handle = existing === undefined ? undefined : this.handles.get(existing);
    return handle !== undefined && !giver ? Promise.resolve(handle).then((task) => sameKind(task, 'download', key)) : undefined;
  }

  private async fromResolvedResumeData(data: ResumeData, resolved: ResolvedTaskInput): Promise<Task> {
    this.runtime.assertUsable();
    const key = resolved.taskKey;
    const known = this.keyedForResumeData(data, key);
    if (known !== undefined) return known;
    if (data.sessionIdentifier !== this.runtime.configuration.identifier) {
      throw new BgSessionError('InvalidResumeData', `resumeData: it belongs to session "${data.sessionIdentifier}"`, { field: 'resumeData' });
    }
    const reference = this.runtime.resumeReferences.get(data.partKey);
    if (reference === undefined || reference.expiresAt <= this.runtime.ports.clock.now()) {
      throw new BgSessionError('InvalidResumeData', 'resumeData: its bytes are gone (used, discarded or expired)', { field: 'resumeData' });
    }
    this.assertOpen();
    // The credentials the giving task was sent with, while this process still holds them; else the
    // app's `credentials` callback (or these `headers`) must give the headers the resume data names.
    // Only to the origin they were sent to: the resume data's URL is text an app may not have kept safe.
    const given = this.runtime.resumeSecrets.get(data.partKey);
    const inherited = given !== undefined && given.origin === originOf(data.originalUrl) ? given.headers : undefined;
    const creation = this.insert(
      'download',
      { ...resolved, secrets: { ...inherited, ...resolved.secrets } },
      { partKey: data.partKey, checkpoint: { offset: data.bytesKept, validator: data.validator, expectedLength: data.expectedLength, bootIdentity: data.bootIdentity } },
      data.credentialHeaders,
    );
    return key === null ? creation : this.underKey(key, creation);
  }

  private assertOpen(): void {
    this.runtime.assertUsable();
    if (this.runtime.header.lifecycle !== 'active') throw new BgSessionError('SessionInvalidated', 'The session is invalidated and takes no new tasks.');
  }

  private insert(kind: TaskKind, resolved: ResolvedTaskInput, resumeFrom: NewTaskInput['resumeFrom'], credentialNames: readonly string[] = []): Promise<Task> {
    const running = this.insertNow(kind, resolved, resumeFrom, credentialNames);
    this.inserting.add(running);
    void running.then(
      () => this.inserting.delete(running),
      () => this.inserting.delete(running),
    );
    return running;
  }

  private async insertNow(kind: TaskKind, resolved: ResolvedTaskInput, resumeFrom: NewTaskInput['resumeFrom'], credentialNames: readonly string[]): Promise<Task> {
    const { runtime } = this;
    const { ports } = runtime;
    // The identifier and the resume data's bytes are taken before the first await: identifiers
    // follow the order of the calls, and two calls with one resume data cannot both pass its check.
    // A call refused after this gives the resume data its bytes back, and its identifier too while
    // no later call took one; else it leaves a gap (identifiers are never reused, not dense).
    const taskIdentifier = runtime.header.highestTaskIdentifier + 1;
    runtime.header = { ...runtime.header, highestTaskIdentifier: taskIdentifier };
    const claimed = resumeFrom?.partKey == null ? undefined : runtime.resumeReferences.get(resumeFrom.partKey);
    if (claimed !== undefined) runtime.resumeReferences.delete(claimed.partKey);
    const claimedSecrets = claimed === undefined ? undefined : runtime.resumeSecrets.get(claimed.partKey);
    if (claimed !== undefined) runtime.resumeSecrets.delete(claimed.partKey);
    let body: BodySource | null = null;
    try {
      await checkDestination(runtime, resolved);
      // The app's file is looked at now and read where it is at each attempt: never copied.
      if (resolved.file !== null) body = await uploadSourceOf(ports.byteStore, resolved.file);
    } catch (error) {
      if (claimed !== undefined) runtime.resumeReferences.set(claimed.partKey, claimed);
      if (claimed !== undefined && claimedSecrets !== undefined) runtime.resumeSecrets.set(claimed.partKey, claimedSecrets);
      // No task ever had it: refused calls in a row do not move the identifiers on (a journal's
      // damage bound counts identifiers by the bytes their records take, see `loadStore`).
      if (runtime.header.highestTaskIdentifier === taskIdentifier) runtime.header = { ...runtime.header, highestTaskIdentifier: taskIdentifier - 1 };
      throw error;
    }
    if (resolved.body !== null) {
      const ref = `body-${taskIdentifier}`;
      await ports.byteStore.append(ref, resolved.body.slice());
      await ports.byteStore.sync(ref);
      body = { ref, owned: true, size: resolved.body.byteLength, mtimeMs: null, identity: null };
    }
    const record = newTaskRecord({
      taskIdentifier, kind, request: resolved.request, options: resolved.options, createdAt: ports.clock.now(),
      taskKey: resolved.taskKey, taskDescription: resolved.taskDescription, body, ...(resumeFrom === undefined ? {} : { resumeFrom }),
      credentialHeaders: [...new Set([...credentialNames, ...Object.keys(resolved.secrets)])],
    });
    // Created running (the default): the resume is part of the creation commit, one write per task.
    const resumed = resolved.resume ? fastStep(record, { type: 'resume', now: ports.clock.now() }, { retry: runtime.configuration.retry }) : null;
    const stored = resumed?.record ?? record;
    const operations: StoreOperation[] = [{ type: 'put', collection: 'tasks', key: String(taskIdentifier), value: encodeTask(stored, runtime.configuration, runtime.encodeRecord) }];
    if (resumeFrom?.partKey != null) operations.push({ type: 'delete', collection: 'resumeData', key: resumeFrom.partKey });
    // The header is added when the identifier passes what the stored one reserves.
    await runtime.commit(operations, 'strict', false);
    if (Object.keys(resolved.secrets).length > 0) runtime.secrets.set(taskIdentifier, resolved.secrets);
    const handle = new TaskHandle(runtime, taskIdentifier);
    this.handles.set(taskIdentifier, handle);
    if (resolved.taskKey !== null) this.byKey.set(resolved.taskKey, taskIdentifier);
    await runtime.adopt(stored, resumed?.effects ?? []);
    return handle;
  }
}

/**
 * A destination is checked at creation, so an app learns at once what would otherwise fail its
 * download at the hand-over, after every byte came: `ifExists: 'fail'` with a file already at the
 * path (semantics section 2), and, where the byte store can tell, a directory that does not exist.
 * The hand-over checks again, atomically, and also refuses what else may be in the way (a
 * directory or a link at the path). A directory destination's file name comes from the response,
 * so only a path is checked for a file.
 */
async function checkDestination(runtime: SessionRuntime, resolved: ResolvedTaskInput): Promise<void> {
  const destination = resolved.options.destination;
  if (destination === null) return;
  const { byteStore } = runtime.ports;
  let size: number | null = null;
  try {
    await byteStore.checkDestination?.(destination);
    if (destination.type === 'path' && destination.ifExists === 'fail') size = await byteStore.locationSize(destination.path);
  } catch (error) {
    // What the hand-over would meet (a refusal, a missing directory): said now. Anything else (a
    // path the platform cannot use) is the app's argument, not a failure of the store.
    if (isBgSessionError(error, 'PermissionDenied') || (isBgSessionError(error, 'InvalidArgument') && error.field === 'destination')) throw error;
    const where = destination.type === 'path' ? destination.path : destination.directory;
    throw new BgSessionError('InvalidArgument', `destination: ${where} cannot be used (${error instanceof Error ? error.message : String(error)})`, { field: 'destination', path: where, cause: error });
  }
  if (size === null || destination.type !== 'path') return;
  throw new BgSessionError('DestinationExists', `A file is already at ${destination.path} and ifExists is 'fail' (the default); give 'replace' or 'rename' to download it anyway.`, {
    path: destination.path,
  });
}

/**
 * Whether a string given to `download` is meant as a URL rather than resume data. Resume data is
 * base64url, which never holds `:`, `/` or `.`, so anything with a scheme, a slash or a dot is checked as a URL
 * (`ftp://...`, `javascript:...` and relative paths are then `InvalidUrl`, not `InvalidResumeData`).
 */
function looksLikeUrl(value: string): boolean {
  // A dot is never in base64url either: `download('example.com')` is a URL missing its scheme.
  return /^[a-z][a-z0-9+.-]*:/i.test(value) || value.includes('/') || value.includes('.');
}

/**
 * The task a `taskKey` already names, for a call that asked for the same kind: a key is one task,
 * and a data task is not handed back to a `download()` call (nor the other way round).
 */
function sameKind(task: Task, kind: TaskKind, key: string): Task {
  const existing = task.info().kind;
  if (existing === kind) return task;
  throw new BgSessionError('InvalidArgument', `taskKey: "${key}" names ${existing === 'upload' ? 'an' : 'a'} ${existing} task (${task.taskIdentifier}), not ${kind === 'upload' ? 'an' : 'a'} ${kind} task.`, {
    field: 'taskKey',
    taskIdentifier: task.taskIdentifier,
  });
}
