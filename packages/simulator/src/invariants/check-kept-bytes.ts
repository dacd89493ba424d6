import type { Violation } from './invariant-sentences.js';
import { partHolders } from './part-holders.js';
import { strongValidator } from './strong-validator.js';
import type { WorldCheckInput } from './world-check-input.js';

/**
 * #7 Kept bytes are not fetched again: after a process kill (same boot), the next request of a
 * task whose partial file held N > 0 bytes at the moment of death asks `Range: bytes=N-`, when the
 * response those bytes came from carried a strong validator and did not refuse ranges, and no power
 * loss came between that response and the kill. (Power losses are not judged here: N is then only
 * bounded by the checkpoint.) Attempts are matched to their task, not by URL: two tasks of one URL
 * are judged apart, and after a redirect the bytes came from the chain's last hop while the request
 * judged is the task's first after the kill (its chain starts again at its first URL, every hop
 * asking for the kept bytes; a presigned link may not come back at all). A download made from
 * resume data is judged by its part's bytes, wherever they came from: its own responses, or those
 * of the task that gave them.
 *
 * @example
 * ```ts
 * expect(checkKeptBytes(input)).toEqual([]);
 * ```
 */
export function checkKeptBytes(input: WorldCheckInput): Violation[] {
  const { attempts, crashes } = input.log;
  const violations: Violation[] = [];
  // A download made from resume data continues the part of the task that gave it, so its bytes
  // may have come from that task's responses.
  const holders = partHolders(input.trace);
  for (const crash of crashes) {
    if (crash.type !== 'kill') continue;
    const nextPowerLoss = crashes.find((other) => other.type === 'powerLoss' && other.step > crash.step)?.step ?? Number.POSITIVE_INFINITY;
    for (const [session, parts] of crash.parts) {
      for (const [taskIdentifier, length] of parts) {
        if (length === 0) continue;
        const sharing = holders.parts.get(holders.partOf.get(`${session}#${taskIdentifier}`) ?? '')?.tasks ?? new Set([taskIdentifier]);
        const ofPart = attempts.filter((attempt) => attempt.session === session && sharing.has(attempt.taskIdentifier));
        const ofTask = ofPart.filter((attempt) => attempt.taskIdentifier === taskIdentifier);
        const source = ofPart.filter((attempt) => attempt.step < crash.step && (attempt.response?.status === 200 || attempt.response?.status === 206)).at(-1);
        const head = source?.response?.headers;
        if (source === undefined || head === undefined || strongValidator(head) === null || head['accept-ranges'] === 'none') continue;
        // Bytes written before a power loss that came before this kill are owed only up to their
        // durable checkpoint (the second half of #7), whatever a later kill on the new boot finds.
        if (crashes.some((other) => other.type === 'powerLoss' && other.step > source.step && other.step < crash.step)) continue;
        const next = ofTask.find((attempt) => attempt.step > crash.step);
        if (next === undefined || next.step > nextPowerLoss) continue;
        const asked = next.headers['range'];
        if (asked !== `bytes=${length}-`) {
          violations.push({
            invariant: 7,
            message: `task ${taskIdentifier} of ${session} kept ${length} bytes at the kill of step ${crash.step}, and its next request (step ${next.step}) asked ${asked === undefined ? 'no Range' : `Range: ${asked}`}`,
          });
        }
      }
    }
  }
  return violations;
}
