import {
  BgSessionError,
  type AttemptRequest,
  type AttemptResponse,
  type ErrorCode,
  type HeaderMap,
  type Transport,
  type TransportCapabilities,
} from '@bgsession/core';
import { concatBytes } from './concat-bytes.js';

/** Answer with a head, then body chunks, optionally cut or stalled part-way. */
export interface RespondStep {
  readonly type: 'respond';
  readonly status: number;
  /** Response headers; names are lower-cased, as the Transport port promises. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body: text (UTF-8), bytes, or the exact chunks to yield. Empty by default. */
  readonly body?: string | Uint8Array | readonly Uint8Array[];
  /** Splits the body into chunks of at most this many bytes. */
  readonly chunkSize?: number;
  /** After this many body bytes, body iteration rejects with `code` (a cut connection). */
  readonly failAfter?: { readonly bytes: number; readonly code: ErrorCode };
  /** After this many body bytes, the body stalls until the attempt is aborted (an idle server). */
  readonly hangAfter?: number;
  /** Reported in the head: whether the "connection" was a reused one. */
  readonly reusedConnection?: boolean;
}

/** Fail before any response head (refused, DNS, TLS...). */
export interface FailStep {
  readonly type: 'fail';
  readonly code: ErrorCode;
  readonly message?: string;
  /** Read (and report as sent) the whole request body first: a reset after the upload. */
  readonly afterRequestBody?: boolean;
}

/** Never answer: `start` rejects with `ConnectionFailed` once the attempt is aborted. */
export interface HangStep {
  readonly type: 'hang';
}

/** What the scripted server does with one attempt. */
export type ScriptStep = RespondStep | FailStep | HangStep;

/** Decides one attempt's step from the request and the attempt's number (1 for the first). */
export type ScriptHandler = (request: AttemptRequest, attempt: number) => ScriptStep | Promise<ScriptStep>;

/** One entry of a script: a fixed step or a handler. */
export type ScriptEntry = ScriptStep | ScriptHandler;

/** One attempt as the scripted transport saw it. */
export interface RecordedRequest {
  /** 1 for the first attempt the transport carried. */
  readonly attempt: number;
  readonly url: string;
  readonly method: string;
  readonly headers: HeaderMap;
  /** The request body bytes the "server" read, or null when it read none. */
  body: Uint8Array | null;
  /** Whether the attempt's signal was aborted. */
  aborted: boolean;
}

/** A {@link Transport} that plays a script, for tests. */
export interface ScriptedTransport extends Transport {
  /** Every attempt, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Entries of an array script not consumed yet (Infinity for a handler script). */
  remaining(): number;
}

/** Options of {@link createScriptedTransport}. */
export interface ScriptedTransportOptions {
  /** Capabilities to declare; every one is true by default. */
  readonly capabilities?: Partial<TransportCapabilities>;
}

/**
 * Creates a {@link Transport} that answers each attempt with the next entry of `script` (or with
 * `script` itself when it is one handler), and records every request. Abort through the request's
 * signal rejects `start`, or the body iteration, with `ConnectionFailed`. An attempt past the end of
 * an array script fails with `ConnectionFailed`, so an unexpected retry shows in `requests`.
 *
 * @example
 * ```ts
 * const transport = createScriptedTransport([
 *   { type: 'fail', code: 'ConnectionFailed' },
 *   { type: 'respond', status: 200, headers: { 'content-length': '5' }, body: 'hello' },
 * ]);
 * // first attempt rejects with ConnectionFailed, the second gets "hello"
 * ```
 */
export function createScriptedTransport(
  script: readonly ScriptEntry[] | ScriptHandler,
  options: ScriptedTransportOptions = {},
): ScriptedTransport {
  const requests: RecordedRequest[] = [];
  let consumed = 0;
  const capabilities: TransportCapabilities = {
    setsAcceptEncoding: true,
    seesValidators: true,
    manualRedirects: true,
    reportsUploadProgress: true,
    ...options.capabilities,
  };

  async function nextStep(request: AttemptRequest, attempt: number): Promise<ScriptStep> {
    if (typeof script === 'function') return script(request, attempt);
    const entry = script[consumed];
    if (entry === undefined) {
      return { type: 'fail', code: 'ConnectionFailed', message: `The script has no step for attempt ${attempt}.` };
    }
    consumed += 1;
    return typeof entry === 'function' ? entry(request, attempt) : entry;
  }

  async function start(request: AttemptRequest): Promise<AttemptResponse> {
    const record: RecordedRequest = {
      attempt: requests.length + 1,
      url: request.url,
      method: request.method,
      headers: { ...request.headers },
      body: null,
      aborted: request.signal.aborted,
    };
    requests.push(record);
    request.signal.addEventListener('abort', () => (record.aborted = true), { once: true });
    if (request.signal.aborted) throw aborted();

    const step = await nextStep(request, record.attempt);
    if (request.signal.aborted) throw aborted();
    switch (step.type) {
      case 'hang':
        return waitForAbort(request.signal);
      case 'fail':
        if (step.afterRequestBody === true) record.body = await readRequestBody(request, capabilities);
        throw new BgSessionError(step.code, step.message ?? `Scripted failure (${step.code}).`);
      case 'respond': {
        record.body = await readRequestBody(request, capabilities);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(step.headers ?? {})) headers[name.toLowerCase()] = value;
        return {
          head: {
            status: step.status,
            headers,
            ...(step.reusedConnection === undefined ? {} : { reusedConnection: step.reusedConnection }),
          },
          body: playBody(step, request.signal),
        };
      }
    }
  }

  return {
    capabilities,
    requests,
    remaining: () => (typeof script === 'function' ? Infinity : script.length - consumed),
    start,
  };
}

function aborted(): BgSessionError {
  return new BgSessionError('ConnectionFailed', 'The attempt was aborted.');
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(aborted());
    else signal.addEventListener('abort', () => reject(aborted()), { once: true });
  });
}

async function readRequestBody(request: AttemptRequest, capabilities: TransportCapabilities): Promise<Uint8Array | null> {
  if (request.body === null) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body.open()) {
    if (request.signal.aborted) throw aborted();
    // The port promises the transport never sends more than the declared length.
    const take = chunk.subarray(0, Math.max(0, request.body.length - total));
    chunks.push(take.slice());
    total += take.length;
    if (capabilities.reportsUploadProgress) request.onBodySent?.(total);
    if (total >= request.body.length) break;
  }
  return concatBytes(chunks, total);
}

function bodyChunks(step: RespondStep): Uint8Array[] {
  const body = step.body ?? [];
  const chunks = typeof body === 'string' ? [new TextEncoder().encode(body)] : body instanceof Uint8Array ? [body] : [...body];
  const size = step.chunkSize;
  if (size === undefined || size <= 0) return chunks;
  const split: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += size) split.push(chunk.subarray(start, start + size));
  }
  return split;
}

async function* playBody(step: RespondStep, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const failAt = step.failAfter?.bytes ?? Infinity;
  const hangAt = step.hangAfter ?? Infinity;
  const stopAt = Math.min(failAt, hangAt);
  let sent = 0;
  for (const chunk of bodyChunks(step)) {
    if (signal.aborted) throw aborted();
    if (sent >= stopAt) break;
    const part = chunk.subarray(0, Math.min(chunk.length, stopAt - sent));
    if (part.length === 0) continue;
    sent += part.length;
    // A copy, so a consumer that keeps or changes a chunk cannot change the script.
    yield part.slice();
  }
  if (signal.aborted) throw aborted();
  if (step.failAfter !== undefined && failAt <= hangAt && sent >= failAt) {
    throw new BgSessionError(step.failAfter.code, `Scripted body failure after ${sent} bytes (${step.failAfter.code}).`);
  }
  if (step.hangAfter !== undefined && hangAt < failAt && sent >= hangAt) await waitForAbort(signal);
}
