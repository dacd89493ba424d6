// One launch of the app the crash tests kill (faults.md C17), run by the harness with tsx:
//   node --conditions=@bgsession/source --import tsx crash-child.fixture.ts <plan.json> <launch>
// It opens the plan's session with a probe read from BGSESSION_CRASH_AT (the probe SIGKILLs this
// process at the n-th pass through a crash point), enqueues by taskKey every planned task whose
// taskDidComplete the app has not yet logged, and logs each durable event to the app log with an
// fsync before its handler returns (returning acknowledges it). It exits 0 once every planned task
// ended and was acknowledged, after printing `counts <json>`: the passes through each crash point.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DurableEvent } from '@bgsession/core';
import { openSession } from '../host/open-session.js';
import { sigkillProbeFromEnvironment } from '../host/sigkill-probe.js';
import type { AppLogLine, CrashPlan } from './crash-plan.test-helpers.js';
import { readAppLog } from './read-app-log.test-helpers.js';

const [planPath, launchText] = process.argv.slice(2);
if (planPath === undefined || launchText === undefined) {
  process.stderr.write('usage: crash-child.fixture.ts <plan.json> <launch>\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planPath, 'utf8')) as CrashPlan;
const launch = Number(launchText);
const started = performance.now();
const probe = sigkillProbeFromEnvironment();

const log = openSync(plan.appLog, 'a');
// A kill in the middle of a write can leave a torn last line (Linux may cut a write to a file at a
// page boundary when a fatal signal is pending): end it, so the next line starts on its own.
const existing = readFileSync(plan.appLog);
if (existing.length > 0 && existing.at(-1) !== 0x0a) writeSync(log, '\n');

/** Durable before it returns, so a line in the log is a delivery even if the process dies next. */
function record(line: AppLogLine): void {
  writeSync(log, `${JSON.stringify(line)}\n`);
  fsyncSync(log);
}

const completed = new Set(readAppLog(plan.appLog).flatMap((line) => (line.kind === 'delivered' && line.type === 'taskDidComplete' && line.key !== null ? [line.key] : [])));

function delivered(event: Extract<DurableEvent, { type: 'downloadDidFinish' | 'taskDidComplete' }>): void {
  const completion = event.type === 'taskDidComplete' ? event : null;
  record({
    kind: 'delivered',
    launch,
    type: event.type,
    key: event.task.taskKey,
    taskIdentifier: event.task.taskIdentifier,
    eventId: event.eventId,
    error: completion?.error?.code ?? null,
    status: completion?.response?.status ?? null,
  });
  if (completion !== null && event.task.taskKey !== null) completed.add(event.task.taskKey);
}

const session = await openSession({
  identifier: plan.identifier,
  directory: plan.directory,
  connectivity: { online: true },
  configuration: { retry: { base: 50, cap: 500 }, checkpointBytes: plan.checkpointBytes, progressInterval: 1000 },
  listener: { downloadDidFinish: delivered, taskDidComplete: delivered },
  probe,
});
process.stdout.write(`opened ${session.tasks().length}\n`);

const taskDescription = 'd'.repeat(plan.descriptionBytes);
for (const download of plan.downloads) {
  if (completed.has(download.key)) continue;
  const task = await session.download({ url: download.url, taskDescription, taskKey: download.key, destination: { type: 'path', path: download.destination, ifExists: 'fail' } });
  record({ kind: 'created', launch, key: download.key, taskIdentifier: task.taskIdentifier });
}
for (const post of plan.posts) {
  if (completed.has(post.key)) continue;
  const body = new Uint8Array(post.bodyBytes).fill(0x61);
  const task = await session.data({ url: post.url, method: 'POST', body, taskKey: post.key });
  record({ kind: 'created', launch, key: post.key, taskIdentifier: task.taskIdentifier });
}

const keys = [...plan.downloads, ...plan.posts].map((task) => task.key);
while (session.tasks().length > 0 || !keys.every((key) => completed.has(key))) {
  if (performance.now() - started > plan.launchTimeoutMs) {
    process.stdout.write(`timeout ${JSON.stringify(session.tasks().map((task) => task.info()))}\n`);
    process.exit(3);
  }
  await sleep(10);
}
await session.close();
closeSync(log);
process.stdout.write(`counts ${JSON.stringify(probe.counts())}\n`);
