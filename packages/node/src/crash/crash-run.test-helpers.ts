import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AckResult } from '@bgsession/core';
import { openSession } from '../host/open-session.js';
import type { CrashFileServer } from './crash-file-server.test-helpers.js';
import type { CrashPlan } from './crash-plan.test-helpers.js';
import { readAppLog } from './read-app-log.test-helpers.js';
import { launchCrashChild, type ChildExit, type KillPlan } from './launch-crash-child.test-helpers.js';

/** What a run's app downloads and posts; the server must serve every download's key. */
export interface CrashWorkload {
  readonly downloads: readonly string[];
  readonly posts: readonly { readonly key: string; readonly bodyBytes: number }[];
  readonly checkpointBytes: number;
  /** See {@link CrashPlan.descriptionBytes}. */
  readonly descriptionBytes: number;
}

/** One launch of a run, and what the store held before it. */
export interface LaunchRecord {
  /** The server's launch stamp (unique across the runs sharing a server). */
  readonly launch: number;
  readonly kill: KillPlan;
  readonly exit: ChildExit;
  /** Length of each `bytes/parts/part-<id>` file just before this launch started. */
  readonly partsBefore: ReadonlyMap<number, number>;
}

/** The extra launch after a run finished: it must find nothing owed. */
export interface FinalLaunch {
  readonly launch: number;
  readonly tasksAtOpen: number;
  /** Durable events delivered to it (none is owed). */
  readonly delivered: readonly { readonly type: string; readonly eventId: string }[];
  /** Acknowledging every eventId the app ever saw again: each must be a no-op. */
  readonly reacknowledged: readonly AckResult[];
  /** Files left in `bytes/parts` once every task was acknowledged. */
  readonly partsLeft: readonly string[];
}

/** A session directory and its app, launched again and again by the harness. */
export interface CrashRun {
  readonly name: string;
  readonly plan: CrashPlan;
  readonly launches: readonly LaunchRecord[];
  /** Starts the next launch with `kill`, and resolves once it is gone and the server saw its connections close. */
  launch(kill: KillPlan): Promise<LaunchRecord>;
  /** Opens the session in this process once more, to see that nothing is owed. */
  finalLaunch(): Promise<FinalLaunch>;
}

/** What {@link createCrashRun} takes. */
export interface CrashRunOptions {
  readonly server: CrashFileServer;
  /** A fresh directory for this run (session, destinations, app log, plan). */
  readonly root: string;
  readonly name: string;
  readonly workload: CrashWorkload;
  /** One launch's limit: a child that outlives it is killed and reported. */
  readonly launchTimeoutMs: number;
  /** The next server launch stamp (shared by every run of one server). */
  readonly nextLaunch: () => number;
}

const partName = /^part-(\d+)$/;

async function partLengths(directory: string): Promise<Map<number, number>> {
  const parts = join(directory, 'bytes', 'parts');
  const lengths = new Map<number, number>();
  if (!existsSync(parts)) return lengths;
  for (const name of await readdir(parts)) {
    const match = partName.exec(name);
    if (match !== null) lengths.set(Number(match[1]), (await stat(join(parts, name))).size);
  }
  return lengths;
}

/** Waits (bounded) until the server has seen every connection of a dead child close, so no late request is stamped with the next launch. */
async function connectionsClosed(server: CrashFileServer): Promise<void> {
  for (let waited = 0; server.openConnections() > 0; waited += 10) {
    if (waited > 10_000) throw new Error(`the server still has ${server.openConnections()} connection(s) open 10 s after the child died`);
    await sleep(10);
  }
}

/**
 * Prepares a run: writes the plan crash-child.fixture.ts reads, in `root`.
 *
 * @example
 * ```ts
 * const run = await createCrashRun({ server, root, name: 'seed 7', workload, launchTimeoutMs: 30_000, nextLaunch });
 * await run.launch({ type: 'point', point: 'journal-append', pass: 12 });
 * await run.launch({ type: 'none' });
 * const final = await run.finalLaunch();
 * ```
 */
export async function createCrashRun(options: CrashRunOptions): Promise<CrashRun> {
  const { server, root, workload } = options;
  await mkdir(join(root, 'files'), { recursive: true });
  const plan: CrashPlan = {
    identifier: 'com.example.crash',
    directory: join(root, 'session'),
    appLog: join(root, 'app-log.jsonl'),
    downloads: workload.downloads.map((key) => ({ key, url: `${server.origin}/files/${key}`, destination: join(root, 'files', key) })),
    posts: workload.posts.map((post) => ({ key: post.key, url: `${server.origin}/post/${post.key}`, bodyBytes: post.bodyBytes })),
    checkpointBytes: workload.checkpointBytes,
    descriptionBytes: workload.descriptionBytes,
    launchTimeoutMs: options.launchTimeoutMs,
  };
  const planPath = join(root, 'plan.json');
  await writeFile(planPath, JSON.stringify(plan));
  const launches: LaunchRecord[] = [];

  return {
    name: options.name,
    plan,
    launches,
    async launch(kill) {
      const partsBefore = await partLengths(plan.directory);
      const launch = options.nextLaunch();
      server.launch = launch;
      const child = launchCrashChild(planPath, launch, kill, options.launchTimeoutMs + 5000);
      if (kill.type === 'post') server.onPost = () => child.kill();
      try {
        const exit = await child.exit;
        await connectionsClosed(server);
        const record = { launch, kill, exit, partsBefore };
        launches.push(record);
        return record;
      } finally {
        server.onPost = null;
      }
    },
    async finalLaunch() {
      const launch = options.nextLaunch();
      server.launch = launch;
      const delivered: { type: string; eventId: string }[] = [];
      const session = await openSession({
        identifier: plan.identifier,
        directory: plan.directory,
        connectivity: { online: true },
        listener: {
          downloadDidFinish: (event) => void delivered.push({ type: event.type, eventId: event.eventId }),
          taskDidComplete: (event) => void delivered.push({ type: event.type, eventId: event.eventId }),
        },
      });
      let reacknowledged: AckResult[];
      const tasksAtOpen = session.tasks().length;
      try {
        // Nothing is owed, so nothing arrives; the wait gives a wrongly kept entry time to show.
        await sleep(200);
        const eventIds = [...new Set(readAppLog(plan.appLog).flatMap((line) => (line.kind === 'delivered' ? [line.eventId] : [])))];
        reacknowledged = await Promise.all(eventIds.map((eventId) => session.acknowledge(eventId)));
      } finally {
        await session.close();
      }
      const parts = join(plan.directory, 'bytes', 'parts');
      const partsLeft = existsSync(parts) ? await readdir(parts) : [];
      return { launch, tasksAtOpen, delivered, reacknowledged, partsLeft };
    },
  };
}
