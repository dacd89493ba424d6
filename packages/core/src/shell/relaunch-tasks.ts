import { relaunchTask } from '../machines/relaunch-task.js';
import type { TaskStepResult } from '../machines/task-step-result.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { HeaderMap } from '../model/http.js';
import type { TaskPhase, TaskRecord } from '../model/task-types.js';
import type { StoreOperation } from '../ports/store.js';
import type { StoreProblem } from '../ports/store.js';
import { isTerminalPhase } from '../machines/public-state.js';
import { resumeRequestHeaders } from '../policy/resume-decision.js';
import { stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import { trustedOffset } from '../policy/trusted-offset.js';
import { decodeDeferredTasks, type LoadedStore } from './open-store.js';
import type { SessionRuntime } from './session-runtime.js';
import { stepBatch } from './step-batch.js';
import { removeOrphanBytes } from './store-housekeeping.js';

/** Tasks decoded, or stepped, between two yields, so the outbox backlog is delivered meanwhile. */
const chunk = 1000;

/** What {@link relaunchStore} tells the session as it goes. */
export interface RelaunchCallbacks {
  /** A task record was decoded (before it joins the runtime). */
  loaded(record: TaskRecord): void;
  problem(problem: StoreProblem): void;
  /** The tasks the outbox names have joined: the backlog can be delivered. */
  backlogReady(): void;
  /** Resolves at the host's next turn, so events and calls are served between chunks (the `nextTurn` port). */
  nextTurn(): Promise<void>;
}

/** A relaunch under way: see {@link relaunchStore}. */
export interface StoreRelaunch {
  /** Resolves once every task has joined, relaunched; rejects when a commit or the byte store failed. */
  readonly finished: Promise<void>;
  /** Decodes every task not decoded yet, now, so that `tasks()` lists them all (as stored until relaunched). */
  readonly loadRest: () => void;
}

/**
 * Brings a store's tasks into the session at open. The tasks the outbox backlog names (decoded by
 * `loadStore`) join before this returns, and the backlog starts; the rest are decoded in chunks
 * in the background, a host turn between chunks, so the backlog is delivered meanwhile (B5), then
 * orphan bytes go, then the unfinished tasks are relaunched (`relaunchTasks`). Ended tasks join at
 * once; unfinished ones are known (their bytes are owned) but join the scheduler, with their
 * deadlines, once relaunched. A host that stops meanwhile ends it where it is, writing nothing more.
 *
 * @example
 * ```ts
 * const relaunch = relaunchStore(runtime, loaded, { loaded: remember, problem: report, backlogReady: () => delivery.start(), nextTurn });
 * await relaunch.finished;
 * ```
 */
export function relaunchStore(runtime: SessionRuntime, loaded: LoadedStore, callbacks: RelaunchCallbacks): StoreRelaunch {
  const unfinished: TaskRecord[] = [];
  // Lower case, as every stored header name is.
  const sensitive = runtime.configuration.persistSensitiveHeaders ? null : runtime.configuration.sensitiveHeaders;
  const join = (records: readonly TaskRecord[]): void => {
    for (const stored of records) {
      callbacks.loaded(stored);
      if (isTerminalPhase(stored.phase)) runtime.track(stored);
      else {
        const record = sensitive === null ? stored : withStoredSecrets(runtime, stored, sensitive);
        runtime.records.set(record.taskIdentifier, record);
        unfinished.push(record);
      }
    }
  };
  join(loaded.tasks);
  for (const problem of loaded.problems) callbacks.problem(problem);
  // The backlog's tasks have ended and are decoded: the backlog need not wait for the others. Its
  // bytes are owned by the outbox: no orphan removal touches them.
  callbacks.backlogReady();
  let quarantined = loaded.quarantined.size;
  let next = 0;
  const decodeUpTo = (end: number): void => {
    const decoded = decodeDeferredTasks(loaded.deferred, next, end - next);
    next = end;
    join(decoded.tasks);
    quarantined += decoded.quarantined.length;
    // A record whose identifier is above every key still counts (#5).
    if (decoded.highestId > runtime.header.highestTaskIdentifier) runtime.header = { ...runtime.header, highestTaskIdentifier: decoded.highestId };
    runtime.problems.push(...decoded.problems);
    for (const problem of decoded.problems) callbacks.problem(problem);
  };
  const total = loaded.deferred.keys.length;
  // A host that stops (close) does not wait for a turn that may never come (a host whose timers
  // are faked in a test): each wait ends at the stop too, and the steps after it see `stopped`.
  let unsubscribe = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (unsubscribe = runtime.whenStopped(resolve)));
  const nextTurn = () => Promise.race([callbacks.nextTurn(), stopped]);
  const finished = (async () => {
    while (next < total) {
      await nextTurn();
      if (runtime.stopped) return;
      decodeUpTo(Math.min(total, next + chunk));
    }
    await removeOrphanBytes(runtime, loaded.outbox, quarantined > 0);
    if (runtime.stopped) return;
    const counted = await withTrustedCounters(runtime, unfinished);
    if (runtime.stopped) return;
    await relaunchTasks(runtime, counted, runtime.ports.clock.now(), nextTurn);
  })().finally(() => unsubscribe());
  return { finished, loadRest: () => (next < total ? decodeUpTo(total) : undefined) };
}

/**
 * A task stored with headers the configuration now calls sensitive (it named them since, or stopped
 * persisting them): their values are kept in memory for this process, out of the record (the next
 * write of the record leaves them out of the store), and named in `credentialHeaders`, so a later
 * relaunch asks the credentials callback for them instead of sending the request without them.
 */
function withStoredSecrets(runtime: SessionRuntime, record: TaskRecord, sensitive: readonly string[]): TaskRecord {
  const original = record.originalRequest.headers;
  const request = record.currentRequest.headers;
  // The usual case, nothing to move, looked at without building anything: every queued task of a
  // relaunch (100,000 in B5) passes here.
  if (!holdsAny(original, sensitive) && (request === original || !holdsAny(request, sensitive))) return record;
  const keptOriginal = stripSensitiveHeaders(original, sensitive);
  const keptRequest = request === original ? keptOriginal : stripSensitiveHeaders(request, sensitive);
  const moved: Record<string, string> = {};
  for (const [headers, kept] of [[original, keptOriginal], [request, keptRequest]] as const) {
    for (const [name, value] of Object.entries(headers)) if (!Object.hasOwn(kept, name)) moved[name] = value;
  }
  runtime.secrets.set(record.taskIdentifier, { ...runtime.secrets.get(record.taskIdentifier), ...moved });
  const originalRequest = { ...record.originalRequest, headers: keptOriginal };
  return {
    ...record,
    originalRequest,
    currentRequest: record.currentRequest === record.originalRequest ? originalRequest : { ...record.currentRequest, headers: keptRequest },
    credentialHeaders: [...new Set([...record.credentialHeaders, ...Object.keys(moved)])],
  };
}

function holdsAny(headers: HeaderMap, names: readonly string[]): boolean {
  for (const name of names) if (Object.hasOwn(headers, name)) return true;
  return false;
}

/** The phases whose next attempt resumes from the kept bytes. */
const resuming: ReadonlySet<TaskPhase> = new Set<TaskPhase>(['created', 'suspended', 'scheduled', 'backingOff', 'connecting', 'transferring']);

/**
 * The unfinished tasks with their counters at the trusted offset (semantics section 2, progress):
 * the kept bytes a download's next attempt resumes from. On the same boot that is every byte the
 * part holds, also those written after the last checkpoint, whose record still counts only up to
 * it; with no strong validator, or a transport that cannot resume, it is 0, since the next attempt
 * fetches the whole file. A task waiting offline after a relaunch then shows its real progress.
 * Counters are persisted only with checkpoints: this is derived again at every relaunch, and the
 * record is taken as the stored one, so nothing is written for it alone (B5).
 */
async function withTrustedCounters(runtime: SessionRuntime, records: readonly TaskRecord[]): Promise<readonly TaskRecord[]> {
  const { byteStore, transport } = runtime.ports;
  let bootNow: string | null = null;
  const counted: TaskRecord[] = [];
  for (const record of records) {
    const { checkpoint, partKey } = record;
    if (record.kind !== 'download' || partKey === null || checkpoint === null || !resuming.has(record.phase)) {
      counted.push(record);
      continue;
    }
    let offset: number;
    try {
      bootNow ??= await byteStore.bootIdentity();
      offset = trustedOffset(checkpoint, bootNow, await byteStore.length(partKey), byteStore.capabilities.unsyncedSurviveWriter);
    } catch {
      // The attempt looks at the part again; until then the record says what it said.
      counted.push(record);
      continue;
    }
    // Kept bytes that no Range can continue are fetched again from 0 (invariant #8).
    if (offset > 0 && !('range' in resumeRequestHeaders({ offset, validator: checkpoint.validator }, transport.capabilities))) offset = 0;
    if (offset === record.progress.countOfBytesReceived) {
      counted.push(record);
      continue;
    }
    const next: TaskRecord = { ...record, progress: { ...record.progress, countOfBytesReceived: offset } };
    runtime.records.set(record.taskIdentifier, next);
    counted.push(next);
  }
  return counted;
}

/**
 * Applies the relaunch table (semantics section 2) to the unfinished tasks found in the store, in
 * one commit: only the records a relaunch must write enter it (an interrupted request's end with
 * its outbox entries, a finished cancel, a clamped due time), none for a task that waits as stored
 * (`relaunchTask`). The tasks join the session, with their resource deadlines and effects, once
 * that commit is durable. Between chunks it yields, so the events already in the outbox are
 * delivered while it runs. A failed commit rejects (the session is then in the failed state).
 *
 * Only the steps that write are kept from the first pass; the others are taken again as their
 * task joins (`relaunchTask` is a function of the record, the instant and the policy). A waiting
 * task's relaunched record lives only until the task is told it waits, which brings it back to
 * the stored one (`StoredRecords`): made as the task joins, it dies young; 100,000 of them made
 * in a first pass would outlive collections and leave the heap fragmented once they die (B5).
 * The tasks the commit wrote join first, in order; then the tasks that only wait again join a
 * chunk at a time, so the scheduler decides once per chunk, not once per task, and any other alone.
 */
async function relaunchTasks(runtime: SessionRuntime, records: readonly TaskRecord[], now: number, nextTurn: () => Promise<void>): Promise<void> {
  const env = { retry: runtime.configuration.retry };
  const written = new Map<number, { readonly result: TaskStepResult; readonly entries: OutboxEntry[] }>();
  const operations: StoreOperation[] = [];
  let strict = false;
  for (let i = 0; i < records.length; i += 1) {
    const result = relaunchTask(records[i] as TaskRecord, now, env);
    if (result.accepted && result.durability !== 'none') {
      const batch = stepBatch(result, runtime.header, runtime.configuration, now, () => runtime.ports.random.id(), runtime.encodeRecord);
      runtime.header = batch.header;
      for (const reference of batch.references) runtime.resumeReferences.set(reference.partKey, reference);
      operations.push(...batch.operations);
      strict ||= result.durability === 'strict' || result.durability === 'always' || batch.ends;
      written.set(i, { result, entries: batch.entries });
    }
    if ((i + 1) % chunk === 0) await nextTurn();
    if (runtime.stopped) return;
  }
  if (operations.length > 0) await runtime.commit(operations, strict ? 'strict' : runtime.lazyDurability, false);
  let joining: Array<Promise<void>> = [];
  const joined = async (): Promise<void> => {
    await Promise.all(joining);
    joining = [];
  };
  // The tasks this commit wrote join first, in the order their events were numbered: a task that
  // joins a chunk later starts, ends and numbers its events meanwhile, and events are delivered in
  // commit order (semantics section 3).
  for (const [i, step] of written) {
    if (runtime.stopped) return;
    await runtime.relaunched(records[i] as TaskRecord, step.result, step.entries);
  }
  for (let i = 0; i < records.length; i += 1) {
    if (runtime.stopped) break;
    if (written.has(i)) continue;
    const stored = records[i] as TaskRecord;
    const result = relaunchTask(stored, now, env);
    if (result.effects.every((effect) => effect.type === 'enqueue')) {
      joining.push(runtime.relaunched(stored, result, []));
      if (joining.length >= chunk) {
        await joined();
        await nextTurn();
      }
    } else {
      await joined();
      await runtime.relaunched(stored, result, []);
    }
  }
  await joined();
}
