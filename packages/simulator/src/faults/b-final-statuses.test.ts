import { describe, expect, it } from 'vitest';
import { generatedContent } from '../servers/generated-content.js';
import { download, eventsOf, faultWorld, requestsTo, runUntilEnded } from './b-fault-world.test-helpers.js';

// Fault B11 on the virtual clock: a final status ends the task at once, told once, with its status.
const statuses = [400, 401, 403, 404, 410];
const day = 24 * 60 * 60 * 1000;

describe('B11 final statuses', () => {
  it('#13 400, 401, 403, 404, 410: no retry, not even a day later, and one terminal event carrying the status', async () => {
    const content = generatedContent({ seed: 11, length: 16 * 1024 });
    const { world, server, session, events } = await faultWorld({ seed: 11, configuration: { retry: { base: 10, cap: 100 } } }, (server) => {
      for (const status of statuses) server.file(`/s${status}`, { content, script: () => ({ type: 'status', status, body: `status ${status}` }) });
    });
    const tasks = await Promise.all(statuses.map((status) => download(session, `/s${status}`)));
    const outcomes = await runUntilEnded(world, tasks, day);
    // Time enough for any retry, however late, to show.
    await world.runUntilIdle({ limit: day });

    expect(outcomes.map((outcome) => [outcome?.phase, outcome?.error?.code, outcome?.error?.status])).toEqual(statuses.map((status) => ['failed', 'HttpStatus', status]));
    for (const [index, status] of statuses.entries()) {
      const task = tasks[index];
      expect(eventsOf(events, task?.taskIdentifier ?? -1)).toEqual([['taskDidComplete', 'HttpStatus', status]]);
      expect(requestsTo(server, `/s${status}`).map((request) => request.status)).toEqual([status]);
      expect(world.disk.readFile(`/downloads/s${status}`)).toBeNull();
    }
    // The app acknowledged each end: the session holds nothing more.
    expect(session.tasks()).toEqual([]);
    expect(world.violations({ settled: true })).toEqual([]);
  });

  it('#13 a final status is final for a data task too: the event carries the status and the body', async () => {
    const { world, server, session, events } = await faultWorld({ seed: 12 }, (server) => {
      server.route('/gone', () => ({ type: 'status', status: 410, body: 'gone for good' }));
    });
    const task = await session.data({ url: 'https://files.example/gone' });
    const [outcome] = await runUntilEnded(world, [task], day);
    await world.runUntilIdle({ limit: day });
    expect([outcome?.phase, outcome?.error?.code, outcome?.error?.status, outcome?.error?.body]).toEqual(['failed', 'HttpStatus', 410, 'gone for good']);
    expect(eventsOf(events, task.taskIdentifier)).toEqual([['taskDidComplete', 'HttpStatus', 410]]);
    expect(server.requests).toHaveLength(1);
  });
});
