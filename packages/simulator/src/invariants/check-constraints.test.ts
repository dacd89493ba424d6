import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { createWorld } from '../world/create-world.js';
import type { AttemptRecord, NetworkChangeRecord } from '../world/world-log.js';
import { checkConstraints, type TaskConstraints } from './check-constraints.js';

const KiB = 1024;
const url = 'https://files.example/up';
const refusesExpensive: TaskConstraints = { allowsExpensiveNetwork: false, allowsConstrainedNetwork: true, discretionary: false };
const cheap = { online: true, expensive: false, constrained: false };
const expensive = { online: true, expensive: true, constrained: false };

/** An attempt of `url` started at step 1, monotonic 0, on a cheap network. */
function attempt(fields: Partial<AttemptRecord>): AttemptRecord {
  return { step: 1, session: 'app', taskIdentifier: 1, generation: 1, at: 0, wallOffset: 0, url, method: 'GET', network: cheap, origin: 'https://files.example', headers: {}, response: null, endStep: null, endMonotonic: null, movedAfterChange: [], ...fields };
}

/** The network turned expensive at step 5, monotonic 1000. */
const turnsExpensive: NetworkChangeRecord[] = [{ step: 5, monotonic: 1000, state: expensive }];

describe('checkConstraints (#15) on a running attempt', () => {
  it('#15 constraints hold: bytes moved at the instant of the change are allowed when the attempt ends at that instant', () => {
    const stopped = attempt({ movedAfterChange: [{ step: 7, monotonic: 1000 }], endStep: 6, endMonotonic: 1000 });
    expect(checkConstraints({ attempts: [stopped], networkChanges: turnsExpensive }, new Map([[url, refusesExpensive]]))).toEqual([]);
  });

  it('#15 constraints hold: bytes moved after the change are reported when the attempt ran on past its instant', () => {
    const later = attempt({ movedAfterChange: [{ step: 7, monotonic: 1040 }], endStep: 9, endMonotonic: 1500 });
    const sameInstantButRanOn = attempt({ movedAfterChange: [{ step: 7, monotonic: 1000 }], endStep: 9, endMonotonic: 1200 });
    const neverEnded = attempt({ movedAfterChange: [{ step: 7, monotonic: 1000 }] });
    for (const running of [later, sameInstantButRanOn, neverEnded]) {
      const violations = checkConstraints({ attempts: [running], networkChanges: turnsExpensive }, new Map([[url, refusesExpensive]]));
      expect(violations.map((violation) => violation.invariant)).toEqual([15]);
      expect(violations[0]?.message).toContain('after the network became expensive at 1000 ms');
    }
  });

  it('#15 constraints hold: a change to a network the task allows, and a non-idempotent request (ADR 6), are not reported', () => {
    const running = attempt({ movedAfterChange: [{ step: 7, monotonic: 1040 }], endStep: 9, endMonotonic: 1500 });
    const allowsExpensive = { ...refusesExpensive, allowsExpensiveNetwork: true };
    expect(checkConstraints({ attempts: [running], networkChanges: turnsExpensive }, new Map([[url, allowsExpensive]]))).toEqual([]);
    expect(checkConstraints({ attempts: [{ ...running, method: 'POST' }], networkChanges: turnsExpensive }, new Map([[url, refusesExpensive]]))).toEqual([]);
    // A POST marked idempotent is stopped like any other request.
    expect(checkConstraints({ attempts: [{ ...running, method: 'POST' }], networkChanges: turnsExpensive }, new Map([[url, { ...refusesExpensive, idempotent: true }]]))).toHaveLength(1);
    // Given the attempts alone, only their starts are checked.
    expect(checkConstraints([running], new Map([[url, refusesExpensive]]))).toEqual([]);
  });
});

describe('checkConstraints (#15) in a world whose network turns expensive during an upload', () => {
  /** A 256 KiB upload at 64 KiB/s by a task that refuses expensive networks, which turn expensive at 1 s. */
  async function uploadTurningExpensive(options: { readonly method: string; readonly idempotent?: boolean }) {
    const world = createWorld({ seed: 15 });
    const server = world.server('https://files.example');
    server.upload('/up');
    world.network.configureHost('files.example', { latency: 40, uploadBandwidth: 64 * KiB });
    world.schedule([{ type: 'expensive', from: 1000, until: 60_000 }]);
    const session = await world.openSession({ identifier: 'app', configuration: { retry: { base: 500, cap: 5_000 } } });
    const body = generatedContent({ seed: 15, length: 256 * KiB }).read(0, 256 * KiB);
    await session.upload({ url, method: options.method, body, allowsExpensiveNetwork: false, ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }) });
    await world.runUntilIdle({ limit: 10 * 60 * 1000 });
    const task = { ...refusesExpensive, ...(options.idempotent === undefined ? {} : { idempotent: options.idempotent }) };
    return { world, violations: checkConstraints(world.log, new Map([[url, task]])) };
  }

  it('#15 constraints hold: a POST whose start was recorded runs on through the change (ADR 6), and that is no violation', async () => {
    const { world, violations } = await uploadTurningExpensive({ method: 'POST' });
    const [first] = world.log.attempts;
    expect(first?.movedAfterChange.some((moved) => moved.monotonic > 1000)).toBe(true);
    expect(violations).toEqual([]);
    // Only the exception spares it: the same attempts, taken for an idempotent task's, break #15.
    expect(checkConstraints(world.log, new Map([[url, { ...refusesExpensive, idempotent: true }]])).length).toBeGreaterThan(0);
  });

  it('#15 constraints hold: an idempotent upload stops at the instant the network turns expensive', async () => {
    const { world, violations } = await uploadTurningExpensive({ method: 'PUT' });
    const [first] = world.log.attempts;
    expect(first?.endMonotonic).toBe(1000);
    expect(violations).toEqual([]);
  });
});
