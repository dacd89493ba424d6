import type { SimContent } from '../servers/sim-content.js';
import type { Violation } from './invariant-sentences.js';
import { firstDifference, sameBytes } from './content-bytes.js';
import { taskUrls } from './task-urls.js';
import type { ServedFile, WorldCheckInput } from './world-check-input.js';

/**
 * #6 What is delivered is what the server had: the file a `downloadDidFinish` points to, when it
 * is delivered, equals byte for byte the served content of the version its last response named
 * (its ETag), or of some version the server has held when the responses named none. The task's
 * own attempts are read, not every request of its URL (after a redirect, the chain's last hop).
 *
 * @example
 * ```ts
 * expect(checkDeliveredContent(input)).toEqual([]);
 * ```
 */
export function checkDeliveredContent(input: WorldCheckInput): Violation[] {
  const urls = taskUrls(input.trace);
  const violations: Violation[] = [];
  for (const delivery of input.log.deliveries) {
    const last = input.log.attempts.filter(
      (attempt) =>
        attempt.session === delivery.session &&
        attempt.taskIdentifier === delivery.taskIdentifier &&
        attempt.step < delivery.step &&
        (attempt.response?.status === 200 || attempt.response?.status === 206),
    ).at(-1);
    const url = last?.url ?? urls.get(`${delivery.session}#${delivery.taskIdentifier}`);
    const served = url === undefined ? undefined : servedAt(input.served, url);
    if (url === undefined || served === undefined) continue;
    const what = `task ${delivery.taskIdentifier} of ${delivery.session} (${url}) delivered at step ${delivery.step}`;
    if (delivery.bytes === null) {
      violations.push({ invariant: 6, message: `${what}: no file at ${delivery.location}` });
      continue;
    }
    const etag = last?.response?.headers['etag']?.replace(/^W\//, '');
    const versions = versionsOf(served);
    const candidates = etag === undefined ? versions : versions.filter((content) => `"${content.tag}"` === etag);
    if (!candidates.some((content) => sameBytes(delivery.bytes ?? new Uint8Array(), content))) {
      violations.push({
        invariant: 6,
        message: `${what}: the file (${delivery.bytes.length} bytes) is not the server's content${etag === undefined ? '' : ` for ETag ${etag}`} (first difference at ${firstDifference(delivery.bytes, candidates[0] ?? served.first)})`,
      });
    }
  }
  return violations;
}

function servedAt(served: readonly ServedFile[], url: string): ServedFile | undefined {
  const bare = url.split('?')[0] ?? url;
  return served.find((file) => file.url === bare);
}

/** Every version the resource has had, from its first to its current one. */
function versionsOf(served: ServedFile): SimContent[] {
  const versions = [served.first];
  for (let version = 1; version < served.resource.version; version += 1) versions.push((versions.at(-1) ?? served.first).nextVersion());
  versions.push(served.resource.content);
  // A stale node's answer (the `otherVersion` fault) is the next version, honestly labelled.
  versions.push(served.resource.content.nextVersion());
  return versions;
}
