import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkCrashRun } from './check-crash-run.test-helpers.js';
import { startCrashFileServer, type CrashFileServer } from './crash-file-server.test-helpers.js';
import type { AppLogLine } from './crash-plan.test-helpers.js';
import { createCrashRun, type CrashWorkload } from './crash-run.test-helpers.js';
import { killAllCrashChildren } from './launch-crash-child.test-helpers.js';
import { readAppLog } from './read-app-log.test-helpers.js';
import { measureCleanRun } from './run-crash-scenario.test-helpers.js';
import { seededRandom } from './seeded-random.test-helpers.js';

// faults.md D23 on a real host: the child SIGKILLs itself after a listener returned and before the
// acknowledgement commits (`handler-returned`). The app logged the event (fsync) before returning,
// so the log shows exactly which delivery was never acknowledged.
// BGSESSION_CRASH_SEED=<seed> replays one seed's choice of pass.
const launchTimeoutMs = 30_000;
const seed = Number(process.env['BGSESSION_CRASH_SEED'] ?? 3000);
const workload: CrashWorkload = { downloads: ['small-0', 'small-1'], posts: [{ key: 'post-1', bodyBytes: 1024 }], checkpointBytes: 32 * 1024, descriptionBytes: 0 };

let server: CrashFileServer;
let parent: string;
let launches = 0;
const nextLaunch = (): number => (launches += 1);

beforeAll(async () => {
  server = await startCrashFileServer({ files: { 'small-0': 64 * 1024, 'small-1': 32 * 1024 }, bytesPerSecond: 8 * 1024 * 1024, postDelayMs: 0 });
  parent = await mkdtemp(join(tmpdir(), 'bgsession-crash-ack-'));
});

afterEach(async () => {
  await killAllCrashChildren();
});

afterAll(async () => {
  await killAllCrashChildren();
  await server.close();
  await rm(parent, { recursive: true, force: true });
});

type Delivery = Extract<AppLogLine, { kind: 'delivered' }>;

describe('D23 the host killed between a handler return and its acknowledgement', () => {
  it(`#2 the same eventId is delivered again after the relaunch, then acknowledged once (seed ${seed})`, async () => {
    const clean = await measureCleanRun({ server, parent, workload, launchTimeoutMs, nextLaunch });
    expect(clean.result.violations).toEqual([]);
    const passes = clean.measure?.counts['handler-returned'] ?? 0;
    expect(passes).toBe(5);
    const pass = seededRandom(seed).between(1, passes);

    const run = await createCrashRun({ server, root: await mkdtemp(join(parent, 'run-')), name: `seed ${seed}`, workload, launchTimeoutMs, nextLaunch });
    const killed = await run.launch({ type: 'point', point: 'handler-returned', pass });
    expect(killed.exit.signal).toBe('SIGKILL');
    const deliveredIn = (launch: number): Delivery[] =>
      readAppLog(run.plan.appLog).filter((line): line is Delivery => line.kind === 'delivered' && line.launch === launch);
    const beforeKill = deliveredIn(killed.launch);
    expect(beforeKill).toHaveLength(pass);
    const unacknowledged = beforeKill.at(-1);

    const relaunched = await run.launch({ type: 'none' });
    expect(relaunched.exit.code).toBe(0);
    const afterRelaunch = deliveredIn(relaunched.launch);
    // Removals commit in the order they were asked for, and the one before the kill may still have
    // been committing (ADR 15): what comes back is the last few deliveries before the kill, ending
    // with the one whose acknowledgement died, first and in outbox order, with the same eventIds.
    const killedIds = new Set(beforeKill.map((line) => line.eventId));
    const again = afterRelaunch.filter((line) => killedIds.has(line.eventId));
    const identity = (line: Delivery) => ({ type: line.type, eventId: line.eventId, taskIdentifier: line.taskIdentifier });
    expect(again.length).toBeGreaterThanOrEqual(1);
    expect(afterRelaunch.slice(0, again.length).map(identity)).toEqual(again.map(identity));
    expect(again.map(identity)).toEqual(beforeKill.slice(-again.length).map(identity));
    expect(again.at(-1)).toMatchObject({ type: unacknowledged?.type, eventId: unacknowledged?.eventId, taskIdentifier: unacknowledged?.taskIdentifier });

    const final = await run.finalLaunch();
    expect(final.delivered).toEqual([]);
    expect(final.reacknowledged.every((result) => !result.acknowledged)).toBe(true);
    const all = readAppLog(run.plan.appLog).filter((line): line is Delivery => line.kind === 'delivered' && line.eventId === unacknowledged?.eventId);
    expect(all.map((line) => line.launch)).toEqual([killed.launch, relaunched.launch]);
    console.log(`C17/D23 handler-returned: 1 kill at pass ${pass} of ${passes}; ${unacknowledged?.type} ${unacknowledged?.eventId} delivered in launches ${all.map((line) => line.launch).join(', ')}, then never again; ${again.length - 1} earlier removal(s) were still committing`);
    expect(checkCrashRun(run, server, final).violations).toEqual([]);
  });
});
