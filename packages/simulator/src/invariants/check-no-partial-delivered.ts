import type { Violation } from './invariant-sentences.js';
import { partHolders } from './part-holders.js';
import { taskUrls } from './task-urls.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #9 No partial file is ever delivered: when a `downloadDidFinish` is delivered, its file is there
 * with the server's full length; and once the run settled, no ended task has a partial file left
 * (a part is judged by the last task that held it; bytes a resume-data reference holds are kept,
 * as semantics.md says, until it is used, discarded or expires).
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
    // A part may pass from task to task (a download made from resume data takes over the bytes of
    // the task that gave them): judge each part by the last task that held it. Bytes a resume-data
    // reference holds are kept until it is used, discarded or expires (its removal is committed).
    const holders = partHolders(input.trace);
    for (const [key, { session, partKey, tasks }] of holders.parts) {
      const last = Math.max(...tasks);
      if ((input.liveTasks.get(session)?.has(last) ?? false) || holders.keptForResumeData.has(key)) continue;
      const left = input.readPart(session, partKey);
      if (left !== null) violations.push({ invariant: 9, message: `task ${last} of ${session} ended and left a partial file of ${left} bytes (${partKey})` });
    }
  }
  return violations;
}
