// One launch of the downloading app: node-download's main.ts starts it (and SIGKILLs the first one).
// argv: <mode: download | check> <session directory> <url> <destination> <acknowledgement log>
// It prints one line per thing that happened; main.ts parses the `progress` and `opened` lines.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DurableEvent } from '@bgsession/core';
import { openSession } from '@bgsession/node';
import { progressLine } from './progress-line.js';

const [mode, directory, url, destination, ackLog] = process.argv.slice(2);
if (mode === undefined || directory === undefined || url === undefined || destination === undefined || ackLog === undefined) {
  console.error('usage: child.ts <download|check> <session directory> <url> <destination> <acknowledgement log>');
  process.exit(2);
}

/** Records the event before returning: returning is the acknowledgement, so the log holds every acknowledged event. */
function acknowledge(event: Extract<DurableEvent, { type: 'downloadDidFinish' | 'taskDidComplete' }>): void {
  appendFileSync(ackLog as string, `${JSON.stringify({ type: event.type, eventId: event.eventId, taskIdentifier: event.task.taskIdentifier })}\n`);
  console.log(`event ${event.type} ${event.eventId} task ${event.task.taskIdentifier}${event.type === 'taskDidComplete' ? ` error ${event.error?.code ?? 'none'}` : ''}: acknowledged`);
}

const session = await openSession({
  identifier: 'com.example.node-download',
  directory,
  // A loopback download needs no network: a sandbox without one must not make it wait.
  connectivity: { online: true },
  configuration: { progressInterval: 100 },
  listener: {
    taskDidWriteData: (event) => console.log(progressLine(event.totalBytesWritten, event.totalBytesExpectedToWrite)),
    downloadDidFinish: acknowledge,
    taskDidComplete: acknowledge,
  },
});
const kept = session.tasks().map((task) => task.info());
// Right after the open, tasks() lists each task as stored, before its relaunch counts the bytes
// kept beyond it (allTasks() would wait for that): the counter is the last checkpoint's.
console.log(`opened ${kept.length} task(s) kept${kept.map((info) => `: task ${info.taskIdentifier} '${info.taskKey ?? ''}' ${info.state}, checkpoint at ${info.countOfBytesReceived} bytes`).join('')}`);

if (mode === 'download') {
  // The same taskKey finds the task a killed launch created, instead of starting a second download.
  const task = await session.download({ url, taskKey: 'big', destination: { type: 'path', path: destination, ifExists: 'replace' } });
  console.log(`download task ${task.taskIdentifier} (${kept.length === 0 ? 'new' : 'continued'})`);
  const outcome = await task.outcome();
  console.log(`outcome ${outcome.phase}${outcome.error === null ? '' : ` ${outcome.error.code}`}`);
  // The task leaves tasks() once both its events are acknowledged and the acknowledgements committed.
  while (session.tasks().length > 0) await sleep(10);
} else {
  // Anything still owed would be delivered now; nothing should be.
  await sleep(300);
}
await session.close();
console.log('closed');
