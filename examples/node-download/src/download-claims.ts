import type { ServedResponse } from './throttled-file-server.js';

/** An acknowledgement child.ts logged. */
export interface LoggedAck {
  readonly type: string;
  readonly eventId: string;
  readonly taskIdentifier: number;
}

/** What one run observed, from outside the library: the server, the children, the files. */
export interface DownloadFacts {
  readonly size: number;
  readonly etag: string;
  /** The last progress launch 1 reported before it was killed. */
  readonly reportedBeforeKill: number;
  readonly launch1Signal: string | null;
  /** The byte count launch 2's task had when it opened the session: the last checkpoint launch 1 made. */
  readonly checkpointOnOpen: number;
  readonly launch2Code: number | null;
  readonly launch2Outcome: string | null;
  readonly launch3Tasks: number | null;
  readonly launch3Code: number | null;
  /** Responses up to the end of launch 2, and how many more came during launch 3. */
  readonly responses: readonly ServedResponse[];
  readonly laterRequests: number;
  readonly contentSha256: string;
  readonly fileSha256: string | null;
  /** The acknowledgement log after launch 2, and after launch 3. */
  readonly acks: readonly LoggedAck[];
  readonly acksAfterLaunch3: number;
}

/** One claim of the example, and whether the run held it. */
export interface Claim {
  readonly claim: string;
  readonly held: boolean;
}

/** The offset a `bytes=N-` Range starts at, or null. */
function rangeStart(range: string | null): number | null {
  const match = /^bytes=(\d+)-$/.exec(range ?? '');
  return match === null ? null : Number(match[1]);
}

/**
 * Everything the example promises, checked against what it observed: the run exits 0 only if every claim held.
 *
 * @example
 * ```ts
 * const failed = downloadClaims(facts).filter((c) => !c.held);
 * ```
 */
export function downloadClaims(facts: DownloadFacts): Claim[] {
  const [first, second] = facts.responses;
  const resumedAt = rangeStart(second?.range ?? null);
  const types = facts.acks.map((ack) => ack.type).sort();
  return [
    { claim: 'launch 1 was SIGKILLed part-way through the download', held: facts.launch1Signal === 'SIGKILL' && facts.reportedBeforeKill > 0 && facts.reportedBeforeKill < facts.size },
    { claim: 'the server got exactly two requests, the first without Range', held: facts.responses.length === 2 && first?.range === null && first.status === 200 },
    { claim: 'the second request carried Range: bytes=N- with N > 0 and If-Range with the strong ETag, answered 206', held: resumedAt !== null && resumedAt > 0 && second?.ifRange === facts.etag && second.status === 206 },
    { claim: "launch 2 found launch 1's task and resumed at or beyond its last checkpoint", held: facts.checkpointOnOpen >= 0 && resumedAt !== null && resumedAt >= facts.checkpointOnOpen },
    { claim: 'no byte launch 1 reported written was lost by the kill', held: resumedAt !== null && resumedAt >= facts.reportedBeforeKill },
    { claim: 'no kept byte was fetched again: the 206 carried exactly the rest of the file', held: resumedAt !== null && second?.complete === true && second.bytesWritten === facts.size - resumedAt },
    { claim: 'launch 2 ended the download as succeeded and exited 0', held: facts.launch2Outcome === 'succeeded' && facts.launch2Code === 0 },
    { claim: "the destination file's sha256 equals the content's", held: facts.fileSha256 === facts.contentSha256 },
    {
      claim: 'downloadDidFinish and taskDidComplete were each delivered and acknowledged exactly once',
      held: types.join() === 'downloadDidFinish,taskDidComplete' && new Set(facts.acks.map((ack) => ack.eventId)).size === 2 && new Set(facts.acks.map((ack) => ack.taskIdentifier)).size === 1,
    },
    { claim: 'launch 3 found no task, was delivered nothing and fetched nothing', held: facts.launch3Tasks === 0 && facts.launch3Code === 0 && facts.acksAfterLaunch3 === facts.acks.length && facts.laterRequests === 0 },
  ];
}
