import { BgSessionError } from '../errors/bg-session-error.js';
import { suggestedFileName } from '../policy/file-name.js';
import { redirectDecision } from '../policy/redirect-decision.js';
import { decideResume } from '../policy/resume-decision.js';
import { parseContentLength } from '../policy/content-range.js';
import { trustedOffset } from '../policy/trusted-offset.js';
import type { HttpRequest, ResponseHead, Validator } from '../model/http.js';
import type { TaskEvent } from '../model/task-events.js';
import type { Checkpoint, RestartReason, TaskRecord } from '../model/task-types.js';
import type { HashState } from '../ports/hasher.js';
import type { AttemptResponse } from '../ports/transport.js';
import { attemptHeaders, canResumeFrom } from './attempt-request.js';
import { sameOrigin } from './origin-of.js';
import { failedEvent, restartEvent } from './attempt-failure.js';
import { closeBody, statusError } from './http-status-error.js';
import { rehash, requestBody } from './request-body.js';
import { IdleWatchdog } from './idle-watchdog.js';
import { ProgressThrottle, type LiveProgress } from './progress-throttle.js';
import { receiveBody } from './receive-body.js';
import type { SessionRuntime } from './session-runtime.js';
import type { TransientEvent } from './session-types.js';
import { checkUploadSource } from './upload-source.js';

interface Attempt {
  readonly controller: AbortController;
  /** The task's attempt count when this attempt started: its events apply only while it is current. */
  readonly number: number;
  /** The scheduler grant it runs under. */
  readonly grant: number | undefined;
  /** Why the attempt was aborted (idle timeout), or null for an abort by the app or the host. */
  failure: BgSessionError | null;
  done: Promise<void>;
}

/** What an attempt knows while it runs. */
interface AttemptState {
  responseStarted: boolean;
  /** The bytes written so far under the response's validator (downloads), or null. */
  kept: Checkpoint | null;
  /** The offset of the last durable checkpoint. */
  checkpointed: number;
  /** Armed when the first request goes out: silence is counted on the connection only (#11). */
  watchdog: IdleWatchdog | null;
}

/** Thrown inside an attempt when the task moved on (suspended, cancelled): stop quietly. */
class Superseded {}

/** Thrown inside an attempt that must start again from byte 0 with a new request. */
class RestartNeeded {
  constructor(readonly reason: RestartReason) {}
}

/**
 * The attempt pump (architecture.md): the one place bytes move. It asks the transport for one
 * response, decides with `decideResume` what the body is, writes it to the ByteStore with
 * backpressure, feeds the hasher, re-arms the idle watchdog on every chunk, syncs and checkpoints on
 * cadence, counts progress, and tells the machine only `responseStarted`, `bytesDurable`,
 * `redirected`, `bodyEnded` and `attemptFailed`. Per-chunk byte counts never reach the machine.
 */
export class AttemptPump {
  private readonly attempts = new Map<number, Attempt>();
  /**
   * The last attempt that wrote each part. A task made from resume data writes the part of the
   * task that gave it, which may still be tearing its attempt down (a resource timeout ends a task
   * at once): its first attempt waits for that one, so no late append of the giver lands among its
   * bytes.
   */
  private readonly writers = new Map<string, Promise<void>>();
  private readonly progress: ProgressThrottle;
  /** Attempts whose body is in, making it durable after their slot went to another task. */
  private syncingOutsideSlot = 0;

  constructor(
    private readonly runtime: SessionRuntime,
    emit: (event: TransientEvent, record: TaskRecord) => void,
  ) {
    this.progress = new ProgressThrottle(runtime.ports.clock, emit, () => runtime.configuration.progressInterval);
  }

  /**
   * Starts an attempt; one attempt per task at a time: a new one waits until the old one was torn
   * down and its last event was applied or refused. Every event an attempt sends is refused once the
   * task started another attempt, so a late failure never lands on the next attempt.
   */
  start(record: TaskRecord, grant: number | undefined): void {
    const id = record.taskIdentifier;
    const own = this.attempts.get(id)?.done;
    const part = record.partKey;
    const writer = part === null ? undefined : this.writers.get(part);
    const previous = writer === undefined || writer === own ? (own ?? Promise.resolve()) : Promise.all([own, writer]);
    const attempt: Attempt = { controller: new AbortController(), number: record.attempts.started, grant, failure: null, done: Promise.resolve() };
    this.attempts.set(id, attempt);
    attempt.done = previous
      .then(() => this.run(id, attempt))
      .then(async (final) => {
        this.runtime.queue.releaseSlot(id, attempt.grant);
        if (final !== null) await this.runtime.dispatch(id, final, (current) => this.isCurrent(attempt, current));
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.attempts.get(id) === attempt) {
          this.attempts.delete(id);
          this.progress.attemptEnded(id);
        }
        if (part !== null && this.writers.get(part) === attempt.done) this.writers.delete(part);
      });
    if (part !== null) this.writers.set(part, attempt.done);
  }

  /** The byte counts of the task's attempt in flight (see `ProgressThrottle.liveProgress`). */
  liveProgress(taskIdentifier: number): LiveProgress | undefined {
    return this.progress.liveProgress(taskIdentifier);
  }

  /** Aborts every attempt in flight (the host stops). */
  abortAll(): void {
    for (const id of [...this.attempts.keys()]) this.abort(id);
  }

  private isCurrent(attempt: Attempt, record: TaskRecord): boolean {
    return record.attempts.started === attempt.number;
  }

  /** Aborts the attempt of a task, if one runs. */
  abort(taskIdentifier: number, failure: BgSessionError | null = null): void {
    const attempt = this.attempts.get(taskIdentifier);
    if (attempt === undefined || attempt.controller.signal.aborted) return;
    attempt.failure = failure;
    attempt.controller.abort();
  }

  /** Resolves when every attempt has finished (tests, close). */
  async settled(): Promise<void> {
    await Promise.all([...this.attempts.values()].map((a) => a.done));
  }

  private async run(id: number, attempt: Attempt): Promise<TaskEvent | null> {
    const record = this.runtime.records.get(id);
    if (record === undefined || record.phase !== 'connecting' || attempt.controller.signal.aborted) {
      return attempt.controller.signal.aborted ? failedEvent(this.runtime, id, attempt.failure, new BgSessionError('ConnectionFailed', 'The attempt was aborted.'), false) : null;
    }
    const state: AttemptState = { responseStarted: false, kept: null, checkpointed: record.checkpoint?.offset ?? 0, watchdog: null };
    this.progress.attemptStarted(id);
    try {
      return await this.transfer(record, attempt, state);
    } catch (error) {
      // A data or upload response cut short is never resumed: its bytes go now, before the task
      // can end, since the end only releases a response that was completely received.
      if (record.partKey === null) await this.runtime.ports.byteStore.delete(`response-${id}`).catch(() => undefined);
      if (error instanceof Superseded) {
        // A cancel committed between the response head and the step that records it refuses that
        // step; the canceling task still waits for its attempt's end, which only this can send.
        const now = this.runtime.records.get(id);
        if (now?.phase !== 'canceling' || !this.isCurrent(attempt, now)) return null;
        await this.keepReceivedBytes(record, state, attempt);
        return failedEvent(this.runtime, id, attempt.failure, new BgSessionError('ConnectionFailed', 'The attempt was aborted.'), state.responseStarted);
      }
      if (error instanceof RestartNeeded) return restartEvent(this.runtime, id, error.reason);
      await this.keepReceivedBytes(record, state, attempt);
      return failedEvent(this.runtime, id, attempt.failure, error, state.responseStarted);
    } finally {
      state.watchdog?.stop();
    }
  }

  /**
   * An attempt that fails after writing bytes checkpoints them before it reports the failure: the
   * next attempt (or a relaunch after a power loss) resumes from them, and the backoff exponent
   * resets because the attempt made durable progress (semantics section 4).
   */
  private async keepReceivedBytes(record: TaskRecord, state: AttemptState, attempt: Attempt): Promise<void> {
    const kept = state.kept;
    if (kept === null || record.partKey === null || kept.offset <= state.checkpointed) return;
    try {
      await this.runtime.ports.byteStore.sync(record.partKey);
      await this.runtime.dispatch(record.taskIdentifier, { type: 'bytesDurable', checkpoint: kept, now: this.runtime.ports.clock.now() }, (current) => this.isCurrent(attempt, current));
    } catch {
      // The bytes stay where they are; a later attempt trusts what the byte store still holds.
    }
  }

  private async transfer(record: TaskRecord, attempt: Attempt, state: AttemptState): Promise<TaskEvent> {
    const { ports, configuration } = this.runtime;
    const { byteStore, transport, clock } = ports;
    const id = record.taskIdentifier;
    const signal = attempt.controller.signal;
    const download = record.kind === 'download' && record.partKey !== null;
    const partKey = record.partKey ?? `response-${id}`;
    const bootIdentity = await byteStore.bootIdentity();
    let validator: Validator | null = record.checkpoint?.validator ?? null;
    let expected = record.checkpoint?.expectedLength ?? null;
    let offset = 0;
    // Why kept bytes were dropped before the request went out (no strong validator to resume them under).
    let dropped: RestartReason | null = null;
    // Bytes are hashed only when the app asked for `integrity`: kept bytes are hashed again at every
    // attempt, which for a large file is long and must not be spent for nothing.
    const newHash = (): HashState | null => (record.options.integrity === null ? null : (ports.hasher?.create() ?? null));
    let hash = newHash();
    if (download) {
      const length = await byteStore.length(partKey);
      offset = trustedOffset(record.checkpoint, bootIdentity, length, byteStore.capabilities.unsyncedSurviveWriter);
      if (offset > 0 && !canResumeFrom(validator)) {
        dropped = validator === null ? 'NotResumable' : 'WeakValidator';
        offset = 0;
      }
      if (length !== null && length > offset) await byteStore.truncate(partKey, offset);
      if (hash !== null && offset > 0) await rehash(this.runtime, partKey, offset, hash);
    } else {
      await byteStore.delete(partKey);
    }

    // An upload's file is compared before the request goes out (semantics section 6): a change
    // ends the task with no request made.
    if (record.body !== null) await checkUploadSource(byteStore, record.body);

    // The chain of one attempt starts at the original request, so a presigned link that changes
    // between attempts is fetched afresh while If-Range still protects the kept bytes (fault A9).
    let request: HttpRequest = record.originalRequest;
    let sendBody = record.body !== null;
    let hops = 0;
    let leftOrigin = false;
    let headersSent = attemptHeaders(this.runtime, record, request, { offset, validator });
    let response: AttemptResponse;
    // The request body bytes the transport handed over: a server may answer before reading it all.
    let bodySent = 0;
    const watchdog = new IdleWatchdog(clock, record.options.timeoutForRequest, () =>
      this.abort(id, new BgSessionError('IdleTimeout', `Nothing was sent or received for ${record.options.timeoutForRequest} ms.`, { taskIdentifier: id })),
    );
    state.watchdog = watchdog;
    for (;;) {
      // The network may have changed while the attempt was being prepared (#15).
      const recordedNonIdempotent = record.attempts.startRecorded && !record.options.idempotent;
      const network = ports.connectivity.current();
      if (!recordedNonIdempotent && !this.runtime.queue.constraintsMet(record, network)) {
        this.runtime.queue.noteNetwork(network);
        throw new BgSessionError('ConnectionFailed', 'The network no longer allows this task; the request was not sent.');
      }
      response = await transport.start({
        taskIdentifier: id,
        url: request.url,
        method: request.method,
        headers: headersSent,
        body: sendBody ? requestBody(this.runtime, record) : null,
        signal,
        onBodySent: (sent) => {
          bodySent = sent;
          watchdog.touch();
          if (!signal.aborted) this.progress.sent(record, sent);
        },
      });
      watchdog.touch();
      state.responseStarted = true;
      const decision = redirectDecision({
        from: request,
        status: response.head.status,
        location: response.head.headers['location'],
        hops,
        policy: configuration.redirect,
        sensitiveHeaders: configuration.sensitiveHeaders,
      });
      if (decision.type === 'notRedirect') break;
      await closeBody(response.body);
      if (decision.type === 'refuse') throw new BgSessionError(decision.code, decision.message, { taskIdentifier: id });
      hops += 1;
      request = decision.request;
      leftOrigin ||= !sameOrigin(request.url, record.originalRequest.url);
      sendBody = sendBody && !decision.bodyDropped;
      await this.send(attempt, id, { type: 'redirected', request, now: clock.now() });
      headersSent = attemptHeaders(this.runtime, record, request, { offset, validator }, leftOrigin);
      state.responseStarted = false;
    }

    const head = response.head;
    let fromZero = offset === 0;
    // A response to HEAD, a 204 and a 304 have no content whatever their Content-Length says (RFC 9110 6.4.1).
    const bodyless = request.method === 'HEAD' || head.status === 204 || head.status === 304;
    // The name a download into a directory will have: the one the response that begins its bytes suggests.
    const named = (): string | null => (record.options.destination?.type === 'path' ? null : responseFileName(head, request));
    if (download) {
      const decision = decideResume({ offset, validator, expectedLength: expected, rangeSent: 'range' in headersSent }, head, transport.capabilities);
      if (decision.type === 'fail') throw await statusError(head, response.body, id, () => watchdog.touch());
      if (decision.type === 'restart' && !decision.useBody) {
        await closeBody(response.body);
        throw new RestartNeeded(decision.reason);
      }
      if (decision.type === 'done') {
        await closeBody(response.body);
        // The kept bytes may be the OS cache's, unsynced (same boot): sync before they are handed over.
        await byteStore.sync(partKey);
        await this.send(attempt, id, { type: 'responseStarted', status: head.status, mode: 'done', restart: null, expectedLength: offset, now: clock.now() });
      } else if (decision.type === 'append') {
        expected = decision.expectedLength ?? expected;
        // The kept bytes were synced under a checkpoint of an earlier boot; until a checkpoint names
        // this boot, a kill would make the relaunch distrust every byte appended on it (#7). Nothing
        // new was appended yet, so the checkpoint covers only bytes already durable (#18).
        const rebooted = record.checkpoint !== null && record.checkpoint.bootIdentity !== bootIdentity;
        const checkpoint = rebooted ? { checkpoint: { offset, validator, expectedLength: expected, bootIdentity } } : {};
        await this.send(attempt, id, { type: 'responseStarted', status: head.status, mode: 'append', restart: null, expectedLength: expected, ...checkpoint, now: clock.now() });
        if (rebooted) state.checkpointed = offset;
      } else {
        // Restarting from 0: a durable checkpoint (0, new validator) comes before the first new byte,
        // so a crash can never resume new bytes under the old validator; it also names this boot, so
        // a kill before the first periodic checkpoint keeps what the OS cache holds (#7).
        if (offset > 0) await byteStore.truncate(partKey, 0);
        offset = 0;
        fromZero = true;
        hash = newHash();
        validator = decision.validator;
        expected = bodyless ? 0 : decision.expectedLength;
        const restart = decision.type === 'restart' ? decision.reason : dropped;
        const checkpoint = { offset: 0, validator, expectedLength: expected, bootIdentity };
        await this.send(attempt, id, { type: 'responseStarted', status: head.status, mode: 'fresh', restart, expectedLength: expected, checkpoint, suggestedName: named(), now: clock.now() });
      }
      if (decision.type === 'done') return this.finishDownload(record, offset, hash, fromZero, head, request);
    } else {
      if (head.status >= 400) throw await statusError(head, response.body, id, () => watchdog.touch());
      const length = bodyless ? 0 : parseContentLength(head.headers['content-length']);
      expected = typeof length === 'number' ? length : null;
      await this.send(attempt, id, { type: 'responseStarted', status: head.status, mode: 'fresh', restart: null, expectedLength: expected, now: clock.now() });
    }

    const aborted = (): unknown => attempt.failure ?? new BgSessionError('ConnectionFailed', 'The attempt was aborted.');
    const received = await receiveBody({
      body: response.body,
      byteStore,
      key: partKey,
      offset,
      signal,
      clock,
      checkpoints: !download
        ? null
        : {
            bytes: configuration.checkpointBytes,
            interval: configuration.checkpointInterval,
            commit: async (synced) => {
              await this.send(attempt, id, { type: 'bytesDurable', checkpoint: { offset: synced, validator, expectedLength: expected, bootIdentity }, now: clock.now() });
              state.checkpointed = Math.max(state.checkpointed, synced);
            },
          },
      maxBytes: download ? null : record.options.maxDataTaskBytes,
      // A download's content ends at its known length: bytes past it (a 206 longer than its range,
      // ended by the connection closing) are not the content and are never written.
      contentEnd: download ? expected : null,
      aborted,
      tooLarge: () => new BgSessionError('ResponseTooLarge', `The response is larger than ${record.options.maxDataTaskBytes} bytes.`, { taskIdentifier: id }),
      onChunk: (chunk) => {
        watchdog.touch();
        hash?.update(chunk);
      },
      onWritten: (written, bytes) => {
        // An aborted attempt reports nothing more: the task may already have ended (no progress
        // event follows a terminal event).
        if (!signal.aborted) this.progress.received(record, bytes, written, expected);
        if (download) state.kept = { offset: written, validator, expectedLength: expected, bootIdentity };
      },
    });
    if (signal.aborted) throw aborted();
    if (expected !== null && received !== expected) {
      throw new BgSessionError('IncompleteBody', `The body ended after ${received} of ${expected} bytes.`, { taskIdentifier: id });
    }
    this.progress.flush(record, received, expected);
    if (download) {
      // An empty body writes nothing: the part is made here, so an empty file is handed over.
      if (received === 0) await byteStore.append(partKey, new Uint8Array(0));
      await this.syncOutsideSlot(id, attempt, partKey);
      return this.finishDownload(record, received, hash, fromZero, head, request);
    }
    // The response body is delivered from the store after the end commit: it must be durable first.
    if (received > 0) await this.syncOutsideSlot(id, attempt, partKey);
    return {
      type: 'bodyEnded',
      handOver: null,
      response: { status: head.status, headers: head.headers, bodyKey: partKey, bodyLength: received },
      countOfBytesReceived: received,
      countOfBytesSent: record.body === null ? 0 : transport.capabilities.reportsUploadProgress ? bodySent : record.body.size,
      now: clock.now(),
    };
  }

  /**
   * Makes a whole body durable. The attempt's connection is free once the body is in (invariant
   * #14 counts an attempt until the end of its body), so its slot goes to the next task while this
   * one waits for the disk: with small files the sync is most of an attempt (B3). At most
   * `maxConcurrentTasks` attempts sync outside their slot, each holding an open file; past that,
   * one keeps its slot until its sync ends.
   */
  private async syncOutsideSlot(id: number, attempt: Attempt, key: string): Promise<void> {
    const { byteStore } = this.runtime.ports;
    if (this.syncingOutsideSlot >= this.runtime.configuration.maxConcurrentTasks) {
      await byteStore.sync(key);
      return;
    }
    this.syncingOutsideSlot += 1;
    this.runtime.queue.releaseSlot(id, attempt.grant);
    try {
      await byteStore.sync(key);
    } finally {
      this.syncingOutsideSlot -= 1;
    }
  }

  /** Verifies integrity and returns the `bodyEnded` that records the hand-over. */
  private finishDownload(record: TaskRecord, size: number, hash: HashState | null, fromZero: boolean, head: ResponseHead, request: HttpRequest): TaskEvent {
    const digest = hash?.digest() ?? null;
    const integrity = record.options.integrity;
    if (integrity !== null && digest !== integrity) {
      if (!fromZero && !record.integrityRestartUsed) throw new RestartNeeded('IntegrityRestart');
      throw new BgSessionError('IntegrityMismatch', `The file hashes to ${digest ?? 'nothing'}, not ${integrity}.`, { taskIdentifier: record.taskIdentifier });
    }
    const destination = record.options.destination;
    // A resumed download keeps the name the response that began it suggested: a 206 or a 416 often names none.
    const suggested = (): string => (fromZero ? null : record.suggestedName) ?? responseFileName(head, request);
    const target = destination?.type === 'path' ? destination.path : suggested();
    return {
      type: 'bodyEnded',
      handOver: { size, hash: digest, target },
      response: null,
      countOfBytesReceived: size,
      countOfBytesSent: 0,
      now: this.runtime.ports.clock.now(),
    };
  }

  /** Sends an event for the attempt's task; if the task moved on, the attempt stops. */
  private async send(attempt: Attempt, id: number, event: TaskEvent): Promise<void> {
    const result = await this.runtime.dispatch(id, event, (current) => this.isCurrent(attempt, current));
    if (result === null || !result.accepted) throw new Superseded();
  }
}

/** The file name a response suggests for a download into a directory (Content-Disposition, else its URL). */
function responseFileName(head: ResponseHead, request: HttpRequest): string {
  return suggestedFileName(head.headers['content-disposition'], request.url);
}
