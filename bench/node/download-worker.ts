// One timed download of B1 or B2 in a process of its own: bgsession or a JS peer.
// Usage (from the benchmarks only): download-worker.ts <contender> <url> <destination> <session directory>
// Prints one JSON line: DownloadFigures.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openSession } from '@bgsession/node';
import { jsDownloaders } from './js-downloaders.js';
import { startPeakRss } from './peak-rss.js';
import type { DownloadFigures } from './download-figures.js';

const [contender, url, destination, sessionDirectory] = process.argv.slice(2);
if (contender === undefined || url === undefined || destination === undefined || sessionDirectory === undefined) {
  throw new Error('usage: download-worker.ts <contender> <url> <destination> <session directory>');
}

/** Prepares a contender (untimed: a session is opened, modules are loaded) and returns the timed download. */
async function prepare(name: string): Promise<{ download: () => Promise<void>; close: () => Promise<void> }> {
  if (name === 'bgsession') {
    const session = await openSession({
      identifier: 'bench-download',
      directory: sessionDirectory as string,
      // A loopback download needs no network: a sandbox without one must not make it wait.
      connectivity: { online: true },
      listener: { downloadDidFinish: () => undefined, taskDidComplete: () => undefined },
    });
    return {
      download: async () => {
        const task = await session.download({ url: url as string, destination: { type: 'path', path: destination as string, ifExists: 'replace' } });
        const outcome = await task.outcome();
        if (outcome.phase !== 'succeeded') throw new Error(`bgsession download ${outcome.phase}: ${outcome.error?.message ?? ''}`);
      },
      close: () => session.close(),
    };
  }
  const download = jsDownloaders[name];
  if (download === undefined) throw new Error(`unknown contender ${name}`);
  return { download: () => download(url as string, destination as string), close: async () => undefined };
}

const contenderRun = await prepare(contender);
const probe = startPeakRss();
const cpuBefore = process.cpuUsage();
const start = performance.now();
await contenderRun.download();
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const peak = probe.stop();
await contenderRun.close();
const figures: DownloadFigures = {
  contender,
  seconds: ms / 1000,
  bytes: statSync(destination).size,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  idleRss: probe.idle,
  peakRss: peak,
  peakMethod: probe.method,
};
console.log(JSON.stringify(figures));
