import { BgSessionError } from '../errors/bg-session-error.js';
import type { SessionConfiguration } from '../model/configuration.js';
import type { HeaderMap, HttpRequest } from '../model/http.js';
import type { Destination, DestinationInput, TaskKind, TaskOptions } from '../model/task-types.js';
import { stripSensitiveHeaders } from '../policy/sensitive-headers.js';
import { beyondLatin1, hasLineBreak, isToken } from '../policy/header-field.js';

/** A validated task input, resolved against the configuration. */
export interface ResolvedTaskInput {
  readonly request: HttpRequest;
  readonly options: TaskOptions;
  readonly taskKey: string | null;
  readonly taskDescription: string | null;
  readonly resume: boolean;
  readonly body: Uint8Array | null;
  /** An upload's file of the app's (a path, as the app gave it), or null. */
  readonly file: string | null;
  /** Sensitive headers kept in memory only, unless the configuration persists them. */
  readonly secrets: HeaderMap;
}

const commonKeys = [
  'url', 'method', 'headers', 'taskKey', 'taskDescription', 'priority', 'earliestBeginDate', 'timeoutForRequest',
  'timeoutForResource', 'allowsExpensiveNetwork', 'allowsConstrainedNetwork', 'discretionary', 'idempotent',
  'countOfBytesClientExpectsToSend', 'countOfBytesClientExpectsToReceive', 'resume',
];
const keysByKind: Readonly<Record<TaskKind, ReadonlySet<string>>> = {
  download: new Set([...commonKeys, 'integrity', 'destination']),
  // An upload's response is kept as a data task's is, under the same limit.
  upload: new Set([...commonKeys, 'body', 'file', 'maxDataTaskBytes']),
  data: new Set([...commonKeys, 'body', 'maxDataTaskBytes']),
};
const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const managedHeaders = new Set(['range', 'if-range', 'accept-encoding', 'content-length', 'transfer-encoding', 'host']);
/** Methods no transfer can use (fetch forbids them too): a tunnel, and loops back of the request. */
const forbiddenMethods = new Set(['CONNECT', 'TRACE', 'TRACK']);

const invalid = (field: string, message: string) => new BgSessionError('InvalidArgument', `${field}: ${message}`, { field });

/**
 * Validates what the app passed to `download` / `upload` / `data`: every wrong type or value is a
 * `BgSessionError` naming the field (`InvalidArgument`, or `InvalidUrl` for the URL), never a
 * silent default.
 *
 * @example
 * ```ts
 * resolveTaskInput('download', { url: 'https://example.com/a.bin' }, configuration, true).request.method; // 'GET'
 * ```
 */
export function resolveTaskInput(kind: TaskKind, input: unknown, configuration: SessionConfiguration, canHash: boolean): ResolvedTaskInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('options', 'expected an object');
  const raw = input as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(raw)) {
    if (!keysByKind[kind].has(key)) throw invalid(key, `unknown option for a ${kind} task`);
  }
  const given = raw['url'];
  // A URL object is taken as its href (Apple's tasks take URLs).
  const url = given instanceof URL ? given.href : given;
  if (typeof url !== 'string' || !isHttpUrl(url)) {
    // Never String(url): an object without a prototype (or with a throwing toString) would throw a TypeError.
    const shown = typeof url === 'string' ? JSON.stringify(url.slice(0, 200)) : `a value of type ${url === null ? 'null' : typeof url}`;
    throw new BgSessionError('InvalidUrl', `url: not an absolute http(s) URL: ${shown}`, { field: 'url' });
  }
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') {
    // As fetch refuses them: they would be stored in plain text and never sent.
    throw new BgSessionError('InvalidUrl', 'url: a user name or password in the URL is neither sent nor stored; give credentials as an Authorization header (a sensitive header, kept out of the store).', { field: 'url' });
  }
  const method = optional(raw, 'method', (v) => typeof v === 'string' && isToken(v), 'an HTTP method token', (v) => (v as string).toUpperCase()) ?? (kind === 'upload' ? 'PUT' : 'GET');
  if (forbiddenMethods.has(method)) throw invalid('method', `${method} cannot carry a transfer; use GET, POST, PUT or another request method`);
  const headers = resolveHeaders(raw['headers'], kind);
  const body = optional(raw, 'body', (v) => v instanceof Uint8Array && !detached(v), 'a Uint8Array (not one whose buffer was transferred)', (v) => v as Uint8Array);
  // A NUL ends a path on every platform: what follows it would be silently dropped.
  const file = optional(raw, 'file', (v) => typeof v === 'string' && v.length > 0 && !v.includes('\0'), 'a non-empty path without NUL', (v) => v as string);
  if (kind === 'upload' && (body === undefined) === (file === undefined)) {
    throw invalid('file', body === undefined ? 'an upload needs a body (bytes) or a file (a path)' : 'give an upload a body or a file, not both');
  }
  const secrets = configuration.persistSensitiveHeaders ? {} : pickSensitive(headers, configuration.sensitiveHeaders);
  const request: HttpRequest = {
    url: parsed.href,
    method,
    headers: configuration.persistSensitiveHeaders ? headers : stripSensitiveHeaders(headers, configuration.sensitiveHeaders),
  };
  const integrity = optional(raw, 'integrity', (v) => typeof v === 'string' && /^sha256-[A-Za-z0-9+/]{43}=$/.test(v), 'sha256-<base64 of 32 bytes>', (v) => v as string) ?? null;
  if (integrity !== null && !canHash) throw invalid('integrity', 'this session has no Hasher port to verify it');
  const options: TaskOptions = {
    timeoutForRequest: positive(raw, 'timeoutForRequest') ?? configuration.timeoutForRequest,
    timeoutForResource: positive(raw, 'timeoutForResource') ?? configuration.timeoutForResource,
    allowsExpensiveNetwork: flag(raw, 'allowsExpensiveNetwork') ?? configuration.allowsExpensiveNetwork,
    allowsConstrainedNetwork: flag(raw, 'allowsConstrainedNetwork') ?? configuration.allowsConstrainedNetwork,
    discretionary: flag(raw, 'discretionary') ?? configuration.discretionary,
    priority: optional(raw, 'priority', (v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1', (v) => v as number) ?? 0.5,
    idempotent: flag(raw, 'idempotent') ?? idempotentMethods.has(method),
    integrity,
    earliestBeginDate: optional(raw, 'earliestBeginDate', (v) => Number.isFinite(toInstant(v)), 'a Date or a number of ms since the epoch', toInstant) ?? null,
    countOfBytesClientExpectsToSend: count(raw, 'countOfBytesClientExpectsToSend') ?? null,
    countOfBytesClientExpectsToReceive: count(raw, 'countOfBytesClientExpectsToReceive') ?? null,
    destination: optional(raw, 'destination', isDestination, "{ type: 'path', path, ifExists? } or { type: 'directory', directory, ifExists? }", toDestination) ?? null,
    maxDataTaskBytes: positive(raw, 'maxDataTaskBytes') ?? configuration.maxDataTaskBytes,
  };
  return {
    request,
    options,
    taskKey: optional(raw, 'taskKey', (v) => typeof v === 'string' && v.length > 0 && v.length <= 1024, 'a non-empty string of at most 1024 characters', (v) => v as string) ?? null,
    taskDescription: optional(raw, 'taskDescription', (v) => typeof v === 'string', 'a string', (v) => v as string) ?? null,
    resume: flag(raw, 'resume') ?? true,
    body: body ?? null,
    file: file ?? null,
    secrets,
  };
}

function optional<T>(raw: Readonly<Record<string, unknown>>, field: string, ok: (v: unknown) => boolean, expected: string, map: (v: unknown) => T): T | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (!ok(value)) throw invalid(field, `expected ${expected}`);
  return map(value);
}

const positive = (raw: Readonly<Record<string, unknown>>, field: string) =>
  optional(raw, field, (v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a positive finite number', (v) => v as number);
const count = (raw: Readonly<Record<string, unknown>>, field: string) =>
  optional(raw, field, (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, 'a non-negative integer', (v) => v as number);
const flag = (raw: Readonly<Record<string, unknown>>, field: string) => optional(raw, field, (v) => typeof v === 'boolean', 'a boolean', (v) => v as boolean);

function toInstant(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { valueOf?: unknown }).valueOf === 'function') {
    const n = (value as { valueOf(): unknown }).valueOf();
    return typeof n === 'number' ? n : Number.NaN;
  }
  return Number.NaN;
}

function resolveHeaders(value: unknown, kind: TaskKind): HeaderMap {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('headers', 'expected an object of header names to strings');
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value as Record<string, unknown>)) {
    if (!isToken(name)) throw invalid(`headers.${name}`, 'not a valid header name');
    if (typeof headerValue !== 'string' || hasLineBreak(headerValue)) throw invalid(`headers.${name}`, 'expected a string without CR, LF or NUL');
    // A field value is bytes (RFC 9110 5.5): text beyond Latin-1 cannot be sent as it is.
    if (beyondLatin1(headerValue)) throw invalid(`headers.${name}`, 'expected Latin-1 text (percent-encode or base64 other characters)');
    const lower = name.toLowerCase();
    if (managedHeaders.has(lower) && (kind === 'download' || lower !== 'accept-encoding')) throw invalid(`headers.${name}`, 'set by the session itself');
    if (lower === 'expect') throw invalid(`headers.${name}`, 'not supported: the request body is sent without waiting for 100 Continue');
    headers[lower] = headerValue;
  }
  return headers;
}

function pickSensitive(headers: HeaderMap, sensitive: readonly string[]): HeaderMap {
  const kept = stripSensitiveHeaders(headers, sensitive);
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!(name in kept)) secrets[name] = value;
  return secrets;
}

function isDestination(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Record<string, unknown>;
  const where = d['type'] === 'path' ? 'path' : d['type'] === 'directory' ? 'directory' : null;
  // A NUL ends a path on every platform: what follows it would be silently dropped.
  if (where === null || typeof d[where] !== 'string' || (d[where] as string).length === 0 || (d[where] as string).includes('\0')) return false;
  const ifExists = d['ifExists'] === undefined || d['ifExists'] === 'fail' || d['ifExists'] === 'replace' || d['ifExists'] === 'rename';
  return ifExists && Object.keys(d).every((key) => key === 'type' || key === where || key === 'ifExists');
}

/** The destination with its `ifExists` filled in: `'fail'` when the app left it out (semantics section 2). */
function toDestination(value: unknown): Destination {
  const d = value as DestinationInput;
  const ifExists = d.ifExists ?? 'fail';
  return d.type === 'path' ? { type: 'path', path: d.path, ifExists } : { type: 'directory', directory: d.directory, ifExists };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Whether a view's buffer was transferred or detached (reading it throws). */
function detached(view: Uint8Array): boolean {
  try {
    view.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}
