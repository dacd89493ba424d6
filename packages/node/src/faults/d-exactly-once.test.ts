import { access, readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventItem } from '@bgsession/core';
import type { NodeSession } from '../host/open-session.js';
import { generatedContent, sha256Hex } from '../host/range-server.test-helpers.js';
import { FaultSessions, serveContent, startFaultServer, type FaultServer } from './fault-server.test-helpers.js';

// Fault D22 against the real Node adapter: a model-based test over create / resume / suspend /
// cancel / close-and-reopen (a relaunch in-process) / acknowledge / wait, with downloads from a
// slow local server and the acknowledging consumer as the events() iterator. Whatever the
// sequence, every task ends once, and each of its terminal events is delivered until
// acknowledged and never after. Real I/O is slow: few runs by default.
const runs = Math.max(3, Math.round(Number(process.env['BGSESSION_PROPERTY_RUNS'] ?? 100) / 10));
const maxTasks = 5;
const size = 96 * 1024;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Model {
  created: number;
}

interface Entry {
  readonly id: number;
  readonly name: string;
  readonly body: Uint8Array;
  /** A cancel() call said it changed the task: its one outcome must be `cancelled`. */
  cancelled: boolean;
}

interface Delivery {
  readonly eventId: string;
  readonly key: string;
  readonly phase: string;
  readonly errorCode: string | null;
  readonly item: EventItem;
}

class Real {
  session: NodeSession | null = null;
  consumer: Promise<void> = Promise.resolve();
  readonly tasks: Entry[] = [];
  /** Delivered to the current consumer and not acknowledged yet, in order. */
  pending: Delivery[] = [];
  readonly deliveries: Delivery[] = [];
  readonly acknowledged = new Set<string>();
  /** The eventId first seen for each `task:type`. */
  readonly eventIds = new Map<string, string>();
  readonly violations: string[] = [];

  constructor(
    readonly sessions: FaultSessions,
    readonly server: FaultServer,
  ) {}

  get open(): NodeSession {
    if (this.session === null) throw new Error('no session is open');
    return this.session;
  }

  async reopen(): Promise<void> {
    await this.session?.close();
    await this.consumer;
    this.pending = [];
    this.session = await this.sessions.open({ configuration: { retry: { base: 10, cap: 50 } } });
    const events = this.session.events();
    this.consumer = (async () => {
      for await (const item of events) {
        if (item.type !== 'downloadDidFinish' && item.type !== 'taskDidComplete') continue;
        const key = `${item.task.taskIdentifier}:${item.type}`;
        if (this.acknowledged.has(item.eventId)) this.violations.push(`${key} delivered after its acknowledgement`);
        const known = this.eventIds.get(key);
        if (known !== undefined && known !== item.eventId) this.violations.push(`${key} delivered under a second eventId`);
        this.eventIds.set(key, item.eventId);
        const delivery = { eventId: item.eventId, key, phase: item.task.phase, errorCode: item.type === 'taskDidComplete' ? (item.error?.code ?? null) : null, item };
        this.deliveries.push(delivery);
        this.pending.push(delivery);
      }
    })().catch((error: unknown) => void this.violations.push(`the iterator failed: ${String(error)}`));
  }

  async acknowledgeNext(): Promise<void> {
    const next = this.pending.shift();
    if (next === undefined) return;
    const result = await next.item.ack();
    if (!result.acknowledged) this.violations.push(`${next.key}: the first acknowledgement was refused (${result.reason})`);
    this.acknowledged.add(next.eventId);
  }

  handle(index: number) {
    const entry = this.tasks[index % this.tasks.length];
    return entry === undefined ? undefined : { entry, task: this.open.task(entry.id) };
  }
}

type Command = fc.AsyncCommand<Model, Real>;

const command = (name: string, check: (model: Readonly<Model>) => boolean, run: (model: Model, real: Real) => Promise<void>): Command => ({
  check,
  run,
  toString: () => name,
});

const create = (resume: boolean) =>
  command(`create(resume: ${resume})`, (model) => model.created < maxTasks, async (model, real) => {
    const n = model.created;
    model.created += 1;
    const name = `t${n}`;
    const body = generatedContent(size).map((byte) => byte ^ (n + 1));
    real.server.route(`/${name}`, (request, respond) => serveContent(request, respond, { body, etag: `"${name}"` }, { drip: { bytes: 16 * 1024, everyMs: 8 } }));
    const task = await real.open.download({ url: real.server.url(`/${name}`), resume, destination: { type: 'path', path: real.sessions.file(name), ifExists: 'fail' } });
    real.tasks.push({ id: task.taskIdentifier, name, body, cancelled: false });
  });

const control = (action: 'resume' | 'suspend' | 'cancel', index: number) =>
  command(`${action}(${index})`, (model) => model.created > 0, async (_model, real) => {
    const found = real.handle(index);
    if (found?.task === undefined) return;
    const result = await found.task[action]();
    if (action === 'cancel' && result.changed) found.entry.cancelled = true;
  });

const reopen = () => command('close and reopen', () => true, async (_model, real) => real.reopen());
const acknowledge = () => command('acknowledge the next event', () => true, async (_model, real) => real.acknowledgeNext());
const wait = (ms: number) => command(`wait ${ms} ms`, () => true, () => sleep(ms));
const acknowledgeAgain = (unknown: boolean) =>
  command(unknown ? 'acknowledge an unknown id' : 'acknowledge an acknowledged id again', () => true, async (_model, real) => {
    const id = unknown ? 'no-such-event' : [...real.acknowledged][0];
    if (id === undefined) return;
    const result = await real.open.acknowledge(id);
    if (result.acknowledged) real.violations.push(`acknowledging ${id} again committed something`);
  });

const controls = fc
  .tuple(fc.constantFrom('resume', 'suspend', 'cancel') as fc.Arbitrary<'resume' | 'suspend' | 'cancel'>, fc.nat(maxTasks - 1))
  .map(([action, index]) => control(action, index));
// Listed more than once: what changes tasks comes up more often than what only looks at them.
const commands = fc.commands(
  [
    fc.boolean().map(create),
    fc.boolean().map(create),
    controls,
    controls,
    controls,
    fc.constant(null).map(reopen),
    fc.constant(null).map(acknowledge),
    fc.constant(null).map(acknowledge),
    fc.integer({ min: 1, max: 40 }).map(wait),
    fc.boolean().map(acknowledgeAgain),
  ],
  { maxCommands: 16 },
);

/** Lets every task end: resumes what is suspended, acknowledges everything delivered. */
async function settle(real: Real): Promise<void> {
  const deadline = Date.now() + 8_000;
  const ended = (entry: Entry) => {
    const id = real.eventIds.get(`${entry.id}:taskDidComplete`);
    return id !== undefined && real.acknowledged.has(id);
  };
  while (!real.tasks.every(ended)) {
    if (Date.now() > deadline) throw new Error(`not every task ended: ${JSON.stringify(real.tasks.filter((entry) => !ended(entry)).map((entry) => real.open.task(entry.id)?.info().phase ?? 'gone'))}`);
    for (const entry of real.tasks) {
      const task = real.open.task(entry.id);
      if (task?.info().state === 'suspended') await task.resume();
    }
    while (real.pending.length > 0) await real.acknowledgeNext();
    await sleep(10);
  }
}

async function checkOutcomes(real: Real): Promise<void> {
  expect(real.violations).toEqual([]);
  for (const entry of real.tasks) {
    const ends = real.deliveries.filter((delivery) => delivery.key === `${entry.id}:taskDidComplete`);
    const finishes = real.deliveries.filter((delivery) => delivery.key === `${entry.id}:downloadDidFinish`);
    const outcome = ends[0];
    expect(new Set(ends.map((delivery) => delivery.eventId)).size).toBe(1);
    expect(['succeeded', 'cancelled']).toContain(outcome?.phase);
    const file = real.sessions.file(entry.name);
    if (outcome?.phase === 'succeeded') {
      expect(entry.cancelled).toBe(false);
      expect(new Set(finishes.map((delivery) => delivery.eventId)).size).toBe(1);
      // downloadDidFinish is acknowledged before taskDidComplete is delivered.
      expect(real.deliveries.indexOf(finishes.at(-1) as Delivery)).toBeLessThan(real.deliveries.indexOf(outcome));
      expect(sha256Hex(await readFile(file))).toBe(sha256Hex(entry.body));
    } else {
      expect(outcome?.errorCode).toBe('Cancelled');
      expect(finishes).toEqual([]);
      expect(await access(file).then(() => true, () => false)).toBe(false);
    }
  }
}

describe('D22 exactly-once outcomes, model-based, on the real adapter', () => {
  it('#2 #3 every task ends once; its terminal events are delivered until acknowledged and never after', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (sequence) => {
        const server = await startFaultServer();
        const sessions = await FaultSessions.create();
        const real = new Real(sessions, server);
        try {
          await real.reopen();
          await fc.asyncModelRun(() => ({ model: { created: 0 }, real }), sequence);
          await settle(real);
          await checkOutcomes(real);
          // A relaunch after everything was acknowledged delivers nothing and keeps no task.
          const delivered = real.deliveries.length;
          await real.reopen();
          await sleep(50);
          expect(real.deliveries.length).toBe(delivered);
          expect(real.open.tasks()).toEqual([]);
          expect(real.violations).toEqual([]);
        } finally {
          await real.session?.close();
          await real.consumer;
          await sessions.dispose();
          await server.close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 120_000);
});
