import type { HeaderMap } from '../model/http.js';
import { beyondLatin1, hasLineBreak, isToken } from '../policy/header-field.js';
import type { TaskRecord } from '../model/task-types.js';
import type { HostOptions } from './session-types.js';
import { taskInfo } from './task-info.js';

/**
 * Whether the sensitive headers a task was created with (and the store does not keep) are at
 * hand; after a relaunch the app's `credentials` callback is asked for them and what it gives is
 * kept in `secrets`. Without them the request is never sent: the task waits with reason
 * `credentials` (semantics section 7, ADR 8).
 */
export function credentialsReady(
  record: TaskRecord,
  secrets: Map<number, HeaderMap>,
  supply: HostOptions['credentials'],
  later: CredentialsLater = { pending: new Set(), live: () => false, supplied: () => undefined },
): boolean {
  const needed = record.credentialHeaders;
  if (needed.length === 0) return true;
  const id = record.taskIdentifier;
  const have = (headers: HeaderMap | undefined) => needed.every((name) => headers !== undefined && name in headers);
  if (have(secrets.get(id))) return true;
  if (supply === undefined || later.pending.has(id)) return false;
  let given: unknown;
  try {
    given = supply(taskInfo(record));
  } catch {
    return false;
  }
  if (isThenable(given)) {
    // A token refresh: the task waits for credentials until it settles, then is told to try again.
    later.pending.add(id);
    Promise.resolve(given).then(
      (value) => {
        later.pending.delete(id);
        // A task that ended meanwhile keeps no secret; one given only some of its headers waits, as
        // with a callback that answers at once (told again, it would ask again, forever).
        if (!later.live(id)) return;
        if (take(secrets, id, value) && have(secrets.get(id))) later.supplied(id);
      },
      () => later.pending.delete(id),
    );
    return false;
  }
  take(secrets, id, given);
  return have(secrets.get(id));
}

/** What `credentialsReady` needs to wait for a `credentials` callback that returned a promise. */
export interface CredentialsLater {
  /** Tasks whose callback's promise has not settled: not asked again meanwhile. */
  readonly pending: Set<number>;
  /** Whether the task still has a record (has not ended) when the promise settles. */
  readonly live: (taskIdentifier: number) => boolean;
  /** The promise gave headers: the task, waiting with reason `credentials`, may try again. */
  readonly supplied: (taskIdentifier: number) => void;
}

/**
 * Keeps what a callback gave. What could not be sent (a bad name, a value with a line break or
 * beyond Latin-1) is not taken: the task waits for credentials as if it had not been given,
 * instead of failing at the send. Whether anything was taken.
 */
function take(secrets: Map<number, HeaderMap>, id: number, given: unknown): boolean {
  if (given === null || typeof given !== 'object') return false;
  const merged: Record<string, string> = { ...secrets.get(id) };
  let taken = false;
  for (const [name, value] of Object.entries(given)) {
    if (isToken(name) && typeof value === 'string' && !hasLineBreak(value) && !beyondLatin1(value)) {
      merged[name.toLowerCase()] = value;
      taken = true;
    }
  }
  secrets.set(id, merged);
  return taken;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
