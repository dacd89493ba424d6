import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { CrashFileServer } from './crash-file-server.test-helpers.js';
import type { AppLogLine } from './crash-plan.test-helpers.js';
import type { CrashRun, FinalLaunch } from './crash-run.test-helpers.js';
import { readAppLog } from './read-app-log.test-helpers.js';

type Delivery = Extract<AppLogLine, { kind: 'delivered' }>;

function sha256OfFile(path: string): string | null {
  return existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : null;
}

/** What {@link checkCrashRun} found. */
export interface CrashRunCheck {
  /** Each broken promise, naming its invariant; empty when all held. */
  readonly violations: readonly string[];
  /** Resumed requests checked against the partial file's length (#7). */
  readonly resumes: number;
  /** Bytes the partial files held that a resumed request asked for again (0 unless #7 broke). */
  readonly refetchedBytes: number;
}

/**
 * Every promise of faults.md C17 that a finished run must have kept, checked from outside the
 * library (the server's request log, the app's log, the files): the list of what was broken, each
 * naming its invariant, empty when all held.
 * - #1 no task lost: every planned task has a terminal event;
 * - #2 one end, acknowledged once: one `eventId` per terminal event however often delivered, never
 *   twice in one launch, never after a launch that exited cleanly (it acknowledged it), nothing for
 *   the final launch, and acknowledging again is a no-op;
 * - #3 durable before visible: once a task's end was delivered, no launch after asks the server
 *   for it again;
 * - #6 every file's SHA-256 is the server's;
 * - #7 the first request of a download in each launch asks for `Range: bytes=N-` with N the
 *   length its partial file had when the launch started (none when it had no bytes), with
 *   `If-Range` (#8);
 * - #9 no partial file is left once everything was acknowledged;
 * - #13 the POST reached the server at most once, and either succeeded or ended `RequestInterrupted`.
 *
 * @example
 * ```ts
 * expect(checkCrashRun(run, server, await run.finalLaunch()).violations).toEqual([]);
 * ```
 */
export function checkCrashRun(run: Pick<CrashRun, 'plan' | 'launches'>, server: Pick<CrashFileServer, 'files' | 'requests'>, final: FinalLaunch): CrashRunCheck {
  const { plan, launches } = run;
  const violations: string[] = [];
  const ours = new Set([...launches.map((launch) => launch.launch), final.launch]);
  const requests = server.requests.filter((request) => ours.has(request.launch));
  const log = readAppLog(plan.appLog);
  const deliveries = log.filter((line): line is Delivery => line.kind === 'delivered');
  const cleanExits = new Set(launches.filter((launch) => launch.exit.code === 0).map((launch) => launch.launch));

  for (const launch of launches) {
    const { exit } = launch;
    const tail = `${exit.stderr.slice(-1500)}${exit.stdout.slice(-500)}`;
    if (exit.timedOut) violations.push(`launch ${launch.launch} did not finish in time (killed by the harness): ${tail}`);
    else if (exit.code !== 0 && exit.signal !== 'SIGKILL') violations.push(`launch ${launch.launch} failed with code ${String(exit.code)} / ${String(exit.signal)}: ${tail}`);
  }
  if (launches.at(-1)?.exit.code !== 0) violations.push(`the run did not finish: its last launch (${String(launches.at(-1)?.launch)}) did not exit 0`);

  const identifiers = new Map<string, Set<number>>();
  for (const line of log) {
    if (line.key === null) continue;
    const set = identifiers.get(line.key) ?? new Set<number>();
    set.add(line.taskIdentifier);
    identifiers.set(line.key, set);
  }
  const idOf = (key: string): number | undefined => [...(identifiers.get(key) ?? [])][0];
  for (const [key, ids] of identifiers) {
    if (ids.size > 1) violations.push(`#1 the task ${key} exists more than once (identifiers ${[...ids].join(', ')}): a relaunch duplicated it`);
  }

  // #2: per event, one eventId; per launch, one delivery; none after a launch that acknowledged it.
  const byEvent = new Map<string, Delivery[]>();
  for (const line of deliveries) byEvent.set(line.eventId, [...(byEvent.get(line.eventId) ?? []), line]);
  for (const [eventId, lines] of byEvent) {
    const launchesSeen = lines.map((line) => line.launch);
    if (new Set(launchesSeen).size !== launchesSeen.length) violations.push(`#2 event ${eventId} (${lines[0]?.type} of ${lines[0]?.key}) was delivered twice in one launch: launches ${launchesSeen.join(', ')}`);
    const cleanBefore = launchesSeen.find((launch) => cleanExits.has(launch) && launchesSeen.some((later) => later > launch));
    if (cleanBefore !== undefined) violations.push(`#2 event ${eventId} (${lines[0]?.type} of ${lines[0]?.key}) was delivered again after launch ${cleanBefore} acknowledged it and exited cleanly`);
  }
  if (final.tasksAtOpen !== 0) violations.push(`#2 the final launch still found ${final.tasksAtOpen} task(s)`);
  for (const event of final.delivered) violations.push(`#2 the final launch was delivered ${event.type} ${event.eventId}: nothing is owed after a clean exit`);
  for (const result of final.reacknowledged) {
    if (result.acknowledged) violations.push('#2 acknowledging an event already acknowledged removed something again');
  }

  const terminal = (key: string, type: Delivery['type']): Delivery[] => deliveries.filter((line) => line.key === key && line.type === type);
  const oneEventId = (key: string, type: Delivery['type']): Delivery | undefined => {
    const lines = terminal(key, type);
    const ids = new Set(lines.map((line) => line.eventId));
    if (ids.size === 0) violations.push(`#1 the task ${key} never had its ${type} delivered`);
    if (ids.size > 1) violations.push(`#2 the task ${key} had ${ids.size} different ${type} eventIds: ${[...ids].join(', ')}`);
    return lines[0];
  };

  for (const download of plan.downloads) {
    const finished = oneEventId(download.key, 'downloadDidFinish');
    const completed = oneEventId(download.key, 'taskDidComplete');
    if (completed !== undefined && completed.error !== null) violations.push(`#1 the download ${download.key} ended with ${completed.error}`);
    if (finished !== undefined && completed !== undefined && deliveries.indexOf(completed) < deliveries.indexOf(finished)) {
      violations.push(`the download ${download.key} had taskDidComplete delivered before downloadDidFinish`);
    }
    const file = server.files.get(download.key);
    const actual = sha256OfFile(download.destination);
    if (file !== undefined && actual !== file.sha256) violations.push(`#6 ${download.key}: the file's sha256 is ${actual ?? 'missing'}, the server's ${file.sha256}`);
  }

  for (const post of plan.posts) {
    const completed = oneEventId(post.key, 'taskDidComplete');
    const sent = requests.filter((request) => request.method === 'POST' && request.key === post.key);
    if (sent.length > 1) violations.push(`#13 the POST ${post.key} reached the server ${sent.length} times`);
    if (completed !== undefined) {
      if (completed.error === null && (completed.status !== 200 || sent.length !== 1)) violations.push(`#13 the POST ${post.key} succeeded with status ${String(completed.status)} after ${sent.length} request(s)`);
      if (completed.error !== null && completed.error !== 'RequestInterrupted') violations.push(`#13 the POST ${post.key} ended with ${completed.error}, not RequestInterrupted`);
    }
  }

  // #3: a delivered end is committed, so the task is never fetched again in a later launch.
  for (const key of [...plan.downloads, ...plan.posts].map((task) => task.key)) {
    const ended = deliveries.find((line) => line.key === key);
    if (ended === undefined) continue;
    const later = requests.filter((request) => request.key === key && request.launch > ended.launch);
    if (later.length > 0) violations.push(`#3 ${key}'s end was delivered in launch ${ended.launch}, yet launch ${later[0]?.launch} asked the server for it again`);
  }

  // #7 and #8: the first request of each download in each launch resumes exactly from the kept bytes.
  let resumes = 0;
  let refetchedBytes = 0;
  for (const launch of launches) {
    for (const download of plan.downloads) {
      const first = requests.find((request) => request.launch === launch.launch && request.method === 'GET' && request.key === download.key);
      if (first === undefined) continue;
      const id = idOf(download.key);
      const kept = id === undefined ? 0 : (launch.partsBefore.get(id) ?? 0);
      const expected = kept > 0 ? `bytes=${kept}-` : null;
      const start = Number(/^bytes=(\d+)-$/.exec(first.range ?? '')?.[1] ?? 0);
      if (kept > 0) resumes += 1;
      refetchedBytes += Math.max(0, kept - start);
      if (first.range !== expected) {
        violations.push(`#7 launch ${launch.launch}: ${download.key} asked for Range ${first.range ?? 'none'} while its partial file held ${kept} bytes (expected ${expected ?? 'no Range'})`);
      }
    }
  }
  for (const request of requests) {
    const etag = server.files.get(request.key)?.etag;
    if (request.range !== null && request.ifRange !== etag) violations.push(`#8 launch ${request.launch}: ${request.key} sent ${request.range} with If-Range ${request.ifRange ?? 'none'}, not ${etag ?? '?'}`);
  }

  if (final.partsLeft.length > 0) violations.push(`#9 files left in bytes/parts after every task was acknowledged: ${final.partsLeft.join(', ')}`);
  return { violations, resumes, refetchedBytes };
}
