import type { HeaderMap } from '../model/http.js';
import type { TaskRecord } from '../model/task-types.js';
import type { HostOptions } from './session-types.js';
import { taskInfo } from './task-info.js';

const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Whether the sensitive headers a task was created with (and the store does not keep) are at
 * hand; after a relaunch the app's `credentials` callback is asked for them and what it gives is
 * kept in `secrets`. Without them the request is never sent: the task waits with reason
 * `credentials` (semantics section 7, ADR 8).
 */
export function credentialsReady(record: TaskRecord, secrets: Map<number, HeaderMap>, supply: HostOptions['credentials']): boolean {
  const needed = record.credentialHeaders;
  if (needed.length === 0) return true;
  const have = (headers: HeaderMap | undefined) => needed.every((name) => headers !== undefined && name in headers);
  if (have(secrets.get(record.taskIdentifier))) return true;
  if (supply === undefined) return false;
  let given: Readonly<Record<string, string>> | null = null;
  try {
    given = supply(taskInfo(record));
  } catch {
    return false;
  }
  if (given === null || typeof given !== 'object') return false;
  const merged: Record<string, string> = { ...secrets.get(record.taskIdentifier) };
  // What could not be sent (a bad name, a value with a line break or beyond Latin-1) is not taken:
  // the task waits for credentials as if it had not been given, instead of failing at the send.
  for (const [name, value] of Object.entries(given)) {
    if (headerName.test(name) && typeof value === 'string' && !/[\r\n\0\u0100-\uffff]/.test(value)) merged[name.toLowerCase()] = value;
  }
  secrets.set(record.taskIdentifier, merged);
  return have(merged);
}
