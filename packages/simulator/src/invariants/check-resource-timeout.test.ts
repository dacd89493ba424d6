import { describe, expect, it } from 'vitest';
import { runWorldScenario } from './run-world-scenario.js';
import type { WorldScenario } from './world-arbitrary.js';

describe('checkResourceTimeout (#11)', () => {
  it('#11 timeouts hold: a deadline that fell while the host was suspended is due when it runs again, and later still when it is killed at the very commit of that end', async () => {
    // Found by the #11 property: task 1 stalls, the host is suspended across its 5 s deadline,
    // resumes at 5,001 ms and is killed in that instant at the journal append of the timeout's end;
    // the relaunch 1 s later commits the end at once. The core was right, the checker was not: it
    // took the resume as the moment the end was due, not the launch after the kill.
    const scenario: WorldScenario = {
      seed: 1,
      files: [
        { length: 345_246, validator: 'etag', ranges: 'supported', faults: { 1: [{ type: 'stall', afterBytes: 0 }] } },
        { length: 262_144, validator: 'etag', ranges: 'supported', faults: {} },
      ],
      maxConnectionsPerHost: 2,
      timeoutForResource: 5_000,
      faults: [
        { type: 'kill', point: 'journal-append', pass: 7 },
        { type: 'suspend', from: 371, until: 5_001 },
      ],
    };
    const { world, settled } = await runWorldScenario(scenario);
    const kill = world.trace.ofKind('kill')[0];
    const resume = world.trace.ofKind('resume')[0];
    expect(kill?.at).toBe(resume?.at);
    const timedOut = world.trace.ofKind('commit').find((commit) => commit.tasks.some((task) => task.taskIdentifier === 1 && task.phase === 'timedOut'));
    const relaunch = world.trace.ofKind('launch').find((launch) => launch.generation === 2);
    // The end is committed at the relaunch, the first moment after the kill a process runs.
    expect(timedOut?.at).toBe(relaunch?.at);
    expect(world.violations({ settled }).filter((violation) => violation.invariant === 11)).toEqual([]);
  });
});
