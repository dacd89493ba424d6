// One launch of the app B4 kills and relaunches: opens its session, asks for the download with a
// fixed taskKey (a relaunch finds the task the killed launch created, as examples/node-download does),
// waits for it to end and for its events to be acknowledged, then exits.
// Usage (from the benchmarks only): b4-bgsession-child.ts <session directory> <url> <destination>
import { setTimeout as sleep } from 'node:timers/promises';
import { openSession } from '@bgsession/node';

const [directory, url, destination] = process.argv.slice(2);
if (directory === undefined || url === undefined || destination === undefined) throw new Error('usage: b4-bgsession-child.ts <session directory> <url> <destination>');
const session = await openSession({
  identifier: 'bench-resume',
  directory,
  connectivity: { online: true },
  listener: { downloadDidFinish: () => undefined, taskDidComplete: () => undefined },
});
const task = await session.download({ url, taskKey: 'big', destination: { type: 'path', path: destination, ifExists: 'replace' } });
const outcome = await task.outcome();
while (session.tasks().length > 0) await sleep(10);
await session.close();
console.log(JSON.stringify({ phase: outcome.phase, error: outcome.error?.code ?? null }));
process.exitCode = outcome.phase === 'succeeded' ? 0 : 1;
