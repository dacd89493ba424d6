import { createHash } from 'node:crypto';
import { isBgSessionError, type HeaderMap, type ResponseHead, type SessionConfigurationInput } from '@bgsession/core';
import { createMemoryHost, createScriptedTransport, serveBytes } from '@bgsession/testing';
import { createDemoApp, type Delivery } from './demo-app.js';
import { formatBytes } from './format-bytes.js';
import { generateContent } from './generate-content.js';
import { pacedTransport } from './paced-transport.js';
import { createPhaseWatcher } from './phase-watcher.js';
import { runClockUntil } from './run-clock-until.js';
import { sha256Hex } from './sha256-hex.js';
import { createStoryLog } from './story-log.js';

/** The fixed parameters of the story: change one and the output changes with it. */
export const storySettings = {
  size: 2 * 1024 * 1024,
  contentSeed: 2024,
  /** Seed of the Random port: the backoff draws and the event ids. */
  randomSeed: 5,
  etag: '"5d41-v1"',
  /** Body bytes attempt 2 gets before its connection drops (not a chunk boundary, on purpose). */
  cutAfter: 1_200_000,
  bytesPerSecond: 1024 * 1024,
  url: 'https://files.example/big.bin',
  destination: '/downloads/big.bin',
  /** How long the story waits on the third host to show that nothing comes again. */
  quietMs: 60_000,
} as const;

/** One attempt as the story saw it. */
export interface AttemptFact {
  readonly attempt: number;
  /** The request headers the scripted transport recorded. */
  readonly headers: HeaderMap;
  status: number | null;
  bodyBytes: number;
  error: string | null;
}

/** What happened, for the summary and its checks. */
export interface StoryFacts {
  readonly size: number;
  readonly contentSha256: string;
  readonly attempts: readonly AttemptFact[];
  readonly backoffs: readonly number[];
  readonly phases: readonly string[];
  /** The sha256 of the file at the destination, or null when none is there. */
  readonly fileSha256: string | null;
  readonly outcomePhase: string;
  readonly deliveries: readonly Delivery[];
  readonly recorded: ReadonlySet<string>;
  readonly progressEvents: number;
  /** What `acknowledge()` says about the redelivered event once the handler returned. */
  readonly secondAck: string;
  /** Durable events delivered to the third host (should be none) and its tasks. */
  readonly thirdHostDeliveries: number;
  readonly thirdHostTasks: number;
}

function describeHead(head: ResponseHead): string {
  const range = head.headers['content-range'];
  return range === undefined
    ? `${head.status}, Content-Length ${head.headers['content-length'] ?? '?'}, ETag ${head.headers['etag'] ?? 'none'}`
    : `${head.status}, Content-Range ${range}, ETag ${head.headers['etag'] ?? 'none'}`;
}

function describeHeaders(headers: HeaderMap): string {
  const entries = Object.entries(headers);
  return entries.length === 0 ? 'no headers' : entries.map(([name, value]) => `${name}: ${value}`).join(', ');
}

/**
 * Plays the story on the in-memory adapters with a manual clock and a scripted transport, printing
 * each step with `write` (console.log by default), and returns what happened.
 *
 * @example
 * ```ts
 * const facts = await runStory();
 * facts.attempts.length; // 3
 * ```
 */
export async function runStory(write?: (line: string) => void): Promise<StoryFacts> {
  const s = storySettings;
  const content = generateContent(s.size, s.contentSeed);
  const contentSha256 = sha256Hex(content);
  const scripted = createScriptedTransport([
    { type: 'fail', code: 'ConnectionFailed', message: 'connection refused' },
    serveBytes(content, { etag: s.etag, failAfter: { bytes: s.cutAfter, code: 'ConnectionFailed' } }),
    serveBytes(content, { etag: s.etag }),
  ]);
  const attempts: AttemptFact[] = [];
  // The host needs the transport and the transport paces on the host's clock: the callbacks below
  // use `host`, `log` and `watcher`, declared further down, and run only once the host does.
  const poll = () => watcher.poll(host.current?.session.tasks()[0]?.info());
  const transport = pacedTransport(scripted, {
    bytesPerSecond: s.bytesPerSecond,
    wait: (ms) => new Promise<void>((resolve) => host.clock.setTimer(ms, resolve)),
    observer: {
      started(attempt, request) {
        poll();
        const headers = scripted.requests[attempt - 1]?.headers ?? {};
        attempts.push({ attempt, headers, status: null, bodyBytes: 0, error: null });
        log.at(`attempt ${attempt}: ${request.method} ${request.url}`);
        log.plain(`request headers: ${describeHeaders(headers)}`);
      },
      answered(attempt, head) {
        poll();
        const fact = attempts[attempt - 1];
        if (fact !== undefined) fact.status = head.status;
        log.at(`attempt ${attempt}: response ${describeHead(head)}`);
      },
      ended(attempt, bodyBytes, error) {
        poll();
        const fact = attempts[attempt - 1];
        const code = isBgSessionError(error) ? error.code : error === null ? null : String(error);
        if (fact !== undefined) Object.assign(fact, { bodyBytes, error: code });
        if (code === null) log.at(`attempt ${attempt}: body complete, ${formatBytes(bodyBytes)} bytes`);
        else if (fact?.status !== null) log.at(`attempt ${attempt}: connection dropped after ${formatBytes(bodyBytes)} body bytes, ${code}`);
        else log.at(`attempt ${attempt}: failed before any response, ${code}${isBgSessionError(error) ? `: ${error.message}` : ''}`);
      },
    },
  });
  const host = createMemoryHost({ transport, seed: s.randomSeed });
  const log = createStoryLog(host.clock, write);
  const app = createDemoApp(log);
  const watcher = createPhaseWatcher(log);
  const configuration: SessionConfigurationInput = { identifier: 'demo' };

  log.heading('bgsession demo: one download on the in-memory adapters and a scripted server');
  log.heading(`  content: ${formatBytes(s.size)} generated bytes, sha256 ${contentSha256.slice(0, 16)}..., ETag ${s.etag}`);
  log.heading(`  virtual time on a manual clock, link paced at ${s.bytesPerSecond / 1024 / 1024} MiB/s, Random port seeded with ${s.randomSeed}`);
  log.heading('');

  // Host 1: the download, to the end, and a death before the acknowledgement.
  const first = await host.open(configuration, { listener: app.listener(1, { hangOnFinish: true, observe: poll }) });
  log.at('host 1: session "demo" opened');
  const integrity = `sha256-${createHash('sha256').update(content).digest('base64')}`;
  const task = await first.download({ url: s.url, integrity, destination: { type: 'path', path: s.destination, ifExists: 'fail' } });
  log.at(`task ${task.taskIdentifier} created: download to ${s.destination}, integrity ${integrity.slice(0, 18)}...`);
  poll();
  let outcomePhase = 'none';
  void task.outcome().then((outcome) => (outcomePhase = outcome.phase));
  await runClockUntil(host.clock, () => app.deliveries.length >= 1, { onStep: poll });
  const progressEvents = app.progressEvents;
  await host.kill();
  log.at('host 1 killed (like SIGKILL) before the handler returned: no acknowledgement was committed');

  // Host 2: the relaunch delivers the same event again; this time the handler returns.
  await host.clock.advanceAsync(5_000);
  log.at('host 2: relaunch, session "demo" opens again on the same store');
  const second = await host.open(configuration, { listener: app.listener(2) });
  await runClockUntil(host.clock, () => app.deliveries.length >= 3 && second.tasks().length === 0);
  const redelivered = app.deliveries[1];
  const ack = redelivered === undefined ? null : await second.acknowledge(redelivered.eventId);
  const secondAck = ack === null ? 'none' : ack.acknowledged ? 'acknowledged' : ack.reason;
  log.at(`host 2: no task left; acknowledge(${redelivered?.eventId.slice(0, 8) ?? '?'}...) again says ${secondAck}`);
  await host.kill();
  log.at('host 2 exits');

  // Host 3: nothing acknowledged is ever delivered again.
  const before = app.deliveries.length;
  const third = await host.open(configuration, { listener: app.listener(3) });
  log.at(`host 3: session "demo" opened, ${third.tasks().length} tasks`);
  await host.clock.advanceAsync(s.quietMs);
  const thirdHostDeliveries = app.deliveries.length - before;
  log.at(`host 3: ${thirdHostDeliveries} events delivered in ${s.quietMs / 1000} s`);
  const thirdHostTasks = third.tasks().length;
  await host.kill();

  const file = host.byteData.readFile(s.destination);
  return {
    size: s.size,
    contentSha256,
    attempts,
    backoffs: watcher.backoffs,
    phases: watcher.phases,
    fileSha256: file === null ? null : sha256Hex(file),
    outcomePhase,
    deliveries: app.deliveries,
    recorded: app.recorded,
    progressEvents,
    secondAck,
    thirdHostDeliveries,
    thirdHostTasks,
  };
}
