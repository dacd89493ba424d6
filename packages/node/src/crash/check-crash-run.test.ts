import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCrashRun } from './check-crash-run.test-helpers.js';
import type { ServedFile, ServedRequest } from './crash-file-server.test-helpers.js';
import type { AppLogLine, CrashPlan } from './crash-plan.test-helpers.js';
import type { FinalLaunch, LaunchRecord } from './crash-run.test-helpers.js';
import type { ChildExit } from './launch-crash-child.test-helpers.js';

// The crash tests are only as good as their checks: each bug a library could have is planted in
// an otherwise consistent record of two launches (the first killed mid-download, the second
// finishing), and the check must name it.

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bgsession-crash-check-'));
  mkdirSync(join(root, 'files'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const content = new Uint8Array(1000).fill(7);
const file: ServedFile = { content, etag: '"v1"', sha256: createHash('sha256').update(content).digest('hex') };
const killed: ChildExit = { code: null, signal: 'SIGKILL', stdout: '', stderr: '', counts: null, activeMs: 10, timedOut: false };
const clean: ChildExit = { ...killed, code: 0, signal: null };

interface World {
  requests: ServedRequest[];
  log: AppLogLine[];
  launches: LaunchRecord[];
  final: FinalLaunch;
  fileContent: Uint8Array;
}

function request(launch: number, method: string, key: string, range: string | null, ifRange: string | null): ServedRequest {
  return { launch, method, key, range, ifRange, status: 200, start: 0, bytesWritten: 0, bytesReceived: 0 };
}

/** Launch 1 is killed with 400 bytes of `a` kept; launch 2 resumes at 400 and finishes; the POST succeeds in launch 2. */
function consistentWorld(): World {
  return {
    requests: [request(1, 'GET', 'a', null, null), request(2, 'GET', 'a', 'bytes=400-', '"v1"'), request(2, 'POST', 'p', null, null)],
    log: [
      { kind: 'created', launch: 1, key: 'a', taskIdentifier: 1 },
      { kind: 'created', launch: 1, key: 'p', taskIdentifier: 2 },
      { kind: 'delivered', launch: 2, type: 'downloadDidFinish', key: 'a', taskIdentifier: 1, eventId: 'e1', error: null, status: null },
      { kind: 'delivered', launch: 2, type: 'taskDidComplete', key: 'a', taskIdentifier: 1, eventId: 'e2', error: null, status: null },
      { kind: 'delivered', launch: 2, type: 'taskDidComplete', key: 'p', taskIdentifier: 2, eventId: 'e3', error: null, status: 200 },
    ],
    launches: [
      { launch: 1, kill: { type: 'moment', delayMs: 5 }, exit: killed, partsBefore: new Map() },
      { launch: 2, kill: { type: 'none' }, exit: clean, partsBefore: new Map([[1, 400]]) },
    ],
    final: { launch: 3, tasksAtOpen: 0, delivered: [], reacknowledged: [{ acknowledged: false, reason: 'unknownEvent' }], partsLeft: [] },
    fileContent: content,
  };
}

function check(world: World): readonly string[] {
  const plan: CrashPlan = {
    identifier: 'check',
    directory: join(root, 'session'),
    appLog: join(root, 'app-log.jsonl'),
    downloads: [{ key: 'a', url: 'http://127.0.0.1:1/files/a', destination: join(root, 'files', 'a') }],
    posts: [{ key: 'p', url: 'http://127.0.0.1:1/post/p', bodyBytes: 10 }],
    descriptionBytes: 0,
    checkpointBytes: 1024,
    launchTimeoutMs: 1000,
  };
  writeFileSync(plan.appLog, world.log.map((line) => `${JSON.stringify(line)}\n`).join(''));
  writeFileSync(plan.downloads[0]!.destination, world.fileContent);
  return checkCrashRun({ plan, launches: world.launches }, { files: new Map([['a', file]]), requests: world.requests }, world.final).violations;
}

describe('checkCrashRun', () => {
  it('finds nothing wrong in a consistent record', () => {
    expect(check(consistentWorld())).toEqual([]);
  });

  const planted: Array<[string, RegExp, (world: World) => void]> = [
    ['a resume that fetches kept bytes again', /^#7 launch 2: a asked for Range bytes=0-/, (w) => void (w.requests[1] = request(2, 'GET', 'a', 'bytes=0-', '"v1"'))],
    ['a restart from 0 that drops kept bytes', /^#7 launch 2: a asked for Range none/, (w) => void (w.requests[1] = request(2, 'GET', 'a', null, null))],
    ['a Range without If-Range', /^#8 launch 2/, (w) => void (w.requests[1] = request(2, 'GET', 'a', 'bytes=400-', null))],
    ['a second eventId for one end', /^#2 the task a had 2 different taskDidComplete eventIds/, (w) => void w.log.push({ kind: 'delivered', launch: 2, type: 'taskDidComplete', key: 'a', taskIdentifier: 1, eventId: 'e9', error: null, status: null })],
    ['a delivery after a clean launch acknowledged it', /^#2 event e3 .* after launch 2 acknowledged it/, (w) => {
      w.log.push({ kind: 'delivered', launch: 4, type: 'taskDidComplete', key: 'p', taskIdentifier: 2, eventId: 'e3', error: null, status: 200 });
      w.launches.push({ launch: 4, kill: { type: 'none' }, exit: clean, partsBefore: new Map() });
    }],
    ['a delivery to the final launch', /^#2 the final launch was delivered/, (w) => void (w.final = { ...w.final, delivered: [{ type: 'taskDidComplete', eventId: 'e2' }] })],
    ['a task lost', /^#1 the task p never had its taskDidComplete delivered/, (w) => void (w.log = w.log.filter((line) => line.key !== 'p' || line.kind === 'created'))],
    ['a task duplicated by a relaunch', /^#1 the task a exists more than once/, (w) => void w.log.push({ kind: 'created', launch: 2, key: 'a', taskIdentifier: 7 })],
    ['a spliced file', /^#6 a: the file's sha256/, (w) => void (w.fileContent = new Uint8Array(1000).fill(8))],
    ['a task fetched again after its end was delivered', /^#3 a's end was delivered in launch 2, yet launch 4/, (w) => {
      w.requests.push(request(4, 'GET', 'a', null, null));
      w.launches.push({ launch: 4, kill: { type: 'none' }, exit: clean, partsBefore: new Map() });
    }],
    ['a POST sent twice', /^#13 the POST p reached the server 2 times/, (w) => void w.requests.push(request(2, 'POST', 'p', null, null))],
    ['a POST interrupted with another code', /^#13 the POST p ended with ConnectionFailed/, (w) => void (w.log[4] = { kind: 'delivered', launch: 2, type: 'taskDidComplete', key: 'p', taskIdentifier: 2, eventId: 'e3', error: 'ConnectionFailed', status: null })],
    ['a partial file left behind', /^#9 files left/, (w) => void (w.final = { ...w.final, partsLeft: ['part-1'] })],
    ['a run that never finished', /^the run did not finish/, (w) => void (w.launches[1] = { ...w.launches[1]!, exit: killed })],
  ];

  it.each(planted)('names %s', (_, pattern, plant) => {
    const world = consistentWorld();
    plant(world);
    expect(check(world)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  });
});
