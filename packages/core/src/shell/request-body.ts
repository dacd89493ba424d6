import type { TaskRecord } from '../model/task-types.js';
import type { HashState } from '../ports/hasher.js';
import type { RequestBody } from '../ports/transport.js';
import type { SessionRuntime } from './session-runtime.js';
import { readUploadSource } from './upload-source.js';

/**
 * The request body of an upload or data task, read once per attempt: from the byte store (bytes it
 * copied), or from the app's file, checked as it is read (`readUploadSource`).
 */
export function requestBody(runtime: SessionRuntime, record: TaskRecord): RequestBody | null {
  const body = record.body;
  if (body === null) return null;
  const byteStore = runtime.ports.byteStore;
  return { length: body.size, open: () => (body.owned ? byteStore.read(body.ref) : readUploadSource(byteStore, body)) };
}

/** Feeds the first `upTo` kept bytes of `key` to `hash` (a download verified by `integrity` resumes). */
export async function rehash(runtime: SessionRuntime, key: string, upTo: number, hash: HashState): Promise<void> {
  let seen = 0;
  for await (const chunk of runtime.ports.byteStore.read(key, 0)) {
    const take = Math.min(chunk.byteLength, upTo - seen);
    hash.update(take === chunk.byteLength ? chunk : chunk.subarray(0, take));
    seen += take;
    if (seen >= upTo) break;
  }
}
