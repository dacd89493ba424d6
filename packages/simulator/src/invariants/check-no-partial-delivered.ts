import type { Violation } from './invariant-sentences.js';
import { taskUrls } from './task-urls.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #9 No partial file is ever delivered: when a `downloadDidFinish` is delivered, its file is there
 * with the server's full length; and once the run settled, no ended task has a partial file left.
 *
 * @example
 * ```ts
 * expect(checkNoPartialDelivered(input)).toEqual([]);
 * ```
 */
export function checkNoPartialDelivered(input: WorldCheckInput): Violation[] {
  const urls = taskUrls(input.trace);
  const violations: Violation[] = [];
  for (const delivery of input.log.deliveries) {
    const url = urls.get(`${delivery.session}#${delivery.taskIdentifier}`)?.split('?')[0];
    const served = input.served.find((file) => file.url === url);
    const actual = delivery.bytes?.length ?? null;
    if (actual === null || (served !== undefined && actual !== served.resource.content.length)) {
      violations.push({
        invariant: 9,
        message: `task ${delivery.taskIdentifier} of ${delivery.session} delivered at step ${delivery.step} with ${actual === null ? 'no file' : `${actual} bytes`} at ${delivery.location}${served === undefined ? '' : ` (the server has ${served.resource.content.length})`}`,
      });
    }
  }
  if (input.settled) {
    for (const created of input.trace.ofKind('created')) {
      if (input.liveTasks.get(created.session)?.has(created.taskIdentifier) ?? false) continue;
      const left = input.readPart(created.session, created.taskIdentifier);
      if (left !== null) violations.push({ invariant: 9, message: `task ${created.taskIdentifier} of ${created.session} ended and left a partial file of ${left} bytes` });
    }
  }
  return violations;
}
