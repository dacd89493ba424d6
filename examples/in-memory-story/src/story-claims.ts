import { defaultConfiguration } from '@bgsession/core';
import { storySettings, type StoryFacts } from './run-story.js';

/** One thing the demo says happened, and whether the facts bear it out. */
export interface StoryClaim {
  readonly claim: string;
  readonly held: boolean;
}

/**
 * Checks every claim the demo's summary makes against what actually happened, so the demo exits
 * non-zero when the library stops doing what the README says it does.
 *
 * @example
 * ```ts
 * const failed = storyClaims(await runStory()).filter((c) => !c.held);
 * ```
 */
export function storyClaims(facts: StoryFacts): readonly StoryClaim[] {
  const [refused, cut, resumed] = facts.attempts;
  const served = facts.attempts.reduce((sum, a) => sum + a.bodyBytes, 0);
  const [firstFinish, secondFinish, complete] = facts.deliveries;
  const { base, cap } = defaultConfiguration.retry;
  // The k-th failure in a row draws below min(cap, base * 2^k); a reset only lowers the ceiling.
  const ceilings = facts.backoffs.map((_, k) => Math.min(cap, base * 2 ** k));
  return [
    { claim: 'three attempts were made', held: facts.attempts.length === 3 },
    { claim: 'attempt 1 failed before any response', held: refused?.status === null && refused.error === 'ConnectionFailed' },
    {
      claim: `attempt 2 got a 200 cut after ${storySettings.cutAfter} bytes`,
      held: cut?.status === 200 && cut.bodyBytes === storySettings.cutAfter && cut.error === 'ConnectionFailed',
    },
    {
      claim: 'the session backed off twice, each delay a full-jitter draw below base * 2^k',
      held: facts.backoffs.length === 2 && facts.backoffs.every((delay, k) => delay >= 0 && delay < (ceilings[k] ?? 0)),
    },
    {
      claim: 'attempt 3 resumed with Range from the kept bytes and If-Range with the strong ETag',
      held: resumed?.headers['range'] === `bytes=${cut?.bodyBytes ?? -1}-` && resumed.headers['if-range'] === storySettings.etag,
    },
    { claim: 'attempt 3 got a 206 and the rest of the body', held: resumed?.status === 206 && resumed.error === null },
    { claim: 'the server sent each byte of the file exactly once', held: served === facts.size },
    { claim: 'the task succeeded', held: facts.outcomePhase === 'succeeded' && facts.phases.at(-1) === 'succeeded' },
    { claim: "the file's sha256 equals the content's", held: facts.fileSha256 === facts.contentSha256 },
    {
      claim: 'host 1 got downloadDidFinish and died before its handler returned',
      held: firstFinish?.type === 'downloadDidFinish' && firstFinish.host === 1 && !firstFinish.returned,
    },
    {
      claim: 'host 2 got the same eventId again, and its handler returned',
      held: secondFinish?.type === 'downloadDidFinish' && secondFinish.host === 2 && secondFinish.eventId === firstFinish?.eventId && secondFinish.returned,
    },
    {
      claim: 'taskDidComplete came once, after downloadDidFinish was acknowledged, and was acknowledged',
      held: complete?.type === 'taskDidComplete' && complete.host === 2 && complete.returned && facts.deliveries.length === 3,
    },
    { claim: 'the session reports the redelivered event as already acknowledged', held: facts.secondAck === 'alreadyAcknowledged' },
    { claim: 'the app recorded each event once', held: facts.recorded.size === 2 },
    { claim: 'nothing was delivered again to host 3, and no task was left', held: facts.thirdHostDeliveries === 0 && facts.thirdHostTasks === 0 },
    { claim: 'progress events were delivered', held: facts.progressEvents > 0 },
  ];
}
