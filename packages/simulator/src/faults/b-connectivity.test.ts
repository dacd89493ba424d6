import { describe, expect, it } from 'vitest';
import { checkConstraints, type TaskConstraints } from '../invariants/check-constraints.js';
import { generatedContent } from '../servers/generated-content.js';
import type { ScheduledFault } from '../world/world-types.js';
import { download, eventsOf, faultWorld, origin, runUntilEnded, sameBytes } from './b-fault-world.test-helpers.js';

// Fault B16 on the virtual clock: the network flaps 1,000 times while downloads run. Going
// offline (or expensive, for tasks that refuse it) stops attempts without spending any; nothing
// starts while it lasts; no task is lost. A flap costs nothing but the work it causes (each one
// cuts an attempt of every running task), so all 1,000 of the catalogue run by default, over few
// tasks on a slow link: the downloads outlast the schedule, and every flap meets them.
const flaps = 1_000;
const totalBytes = 512 * 1024;
const latency = 50;
const hour = 60 * 60 * 1000;

/**
 * `flaps` periods of `type`: short ones that cut attempts before or just after they start, and
 * every tenth gap long enough for bytes to flow, so interrupted downloads resume from kept bytes.
 * The lengths follow fixed arithmetic sequences: the schedule is the same at every run.
 */
function flapping(type: 'partition' | 'expensive', from: number): { readonly faults: ScheduledFault[]; readonly periods: readonly (readonly [number, number])[] } {
  const faults: ScheduledFault[] = [];
  const periods: [number, number][] = [];
  let at = from;
  for (let flap = 0; flap < flaps; flap += 1) {
    const down = 5 + ((flap * 37) % 90);
    const up = flap % 10 === 9 ? 1_500 : 10 + ((flap * 53) % 240);
    faults.push({ type, from: at, until: at + down });
    periods.push([at, at + down]);
    at += down + up;
  }
  return { faults, periods };
}

/** Whether monotonic `at` falls inside one of `periods` (from inclusive, until exclusive). */
function inside(periods: readonly (readonly [number, number])[], at: number): boolean {
  return periods.some(([from, until]) => at >= from && at < until);
}

describe('B16 connectivity flapping', () => {
  it.each([
    { type: 'partition', allowsExpensiveNetwork: true, files: 2 },
    { type: 'expensive', allowsExpensiveNetwork: false, files: 1 },
  ] as const)(
    `#10 #15 ${flaps} flaps of $type over $files download(s): no attempt starts while it lasts, none is spent, none is lost`,
    async ({ type, allowsExpensiveNetwork, files }) => {
      const contents = Array.from({ length: files }, (_, index) => generatedContent({ seed: 160 + index, length: totalBytes / files }));
      // One attempt allowed: an attempt spent by a flap would end its task as failed.
      const { world, server, session, events } = await faultWorld(
        { seed: 16, host: { latency, bandwidth: 2 * 1024 }, configuration: { allowsExpensiveNetwork, retry: { base: 10, cap: 50, maxAttempts: 1 } } },
        (server) => contents.forEach((content, index) => server.file(`/f${index}`, { content })),
      );
      const tasks = [];
      for (let index = 0; index < files; index += 1) tasks.push(await download(session, `/f${index}`));
      const { faults, periods } = flapping(type, 20);
      world.schedule(faults);
      const flappingEnds = periods.at(-1)?.[1] ?? 0;
      const outcomes = await runUntilEnded(world, tasks, 24 * hour);

      expect(outcomes.map((outcome) => [outcome?.phase, outcome?.error?.code ?? null])).toEqual(tasks.map(() => ['succeeded', null]));
      contents.forEach((content, index) => expect(sameBytes(world.disk.readFile(`/downloads/f${index}`), content)).toBe(true));
      for (const task of tasks) expect(eventsOf(events, task.taskIdentifier)).toEqual([['downloadDidFinish'], ['taskDidComplete', null, null]]);

      // The downloads ran through the whole schedule, and every flap cut an attempt of each (none spent: one was allowed).
      expect(world.clock.monotonic()).toBeGreaterThan(flappingEnds);
      const attempts = world.log.attempts;
      expect(attempts.length).toBeGreaterThan(flaps * files);
      // No attempt started while the network was down (or expensive, for tasks that refuse it), as the session saw it or as the wire did,
      // and none went on moving bytes once it turned expensive (#15's whole check, starts and running attempts).
      expect(attempts.filter((attempt) => attempt.network === null || (type === 'partition' ? !attempt.network.online : attempt.network.expensive))).toEqual([]);
      expect(server.requests.filter((request) => inside(periods, request.at)).map((request) => request.at)).toEqual([]);
      if (type === 'expensive') {
        const refusing: TaskConstraints = { allowsExpensiveNetwork: false, allowsConstrainedNetwork: true, discretionary: false };
        expect(checkConstraints(world.log, new Map(contents.map((_content, index) => [`${origin}/f${index}`, refusing])))).toEqual([]);
      }
      // The flaps interrupted attempts, which resumed from the bytes they kept.
      expect(server.requests.filter((request) => request.headers['range'] !== undefined).length).toBeGreaterThan(files);
      expect(world.violations({ settled: true })).toEqual([]);
    },
  );
});
