// B1, large download throughput (design/benchmarks.md): one file from a local Range server, by
// bgsession, curl, undici stream(), node-downloader-helper and got, each download in a process of
// its own, the contenders interleaved run after run. Run it with `pnpm bench b1` (or `pnpm bench node`).
import { performance } from 'node:perf_hooks';
import { benchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median } from '../lib/median.js';
import { formatFigure, printMeasurement } from '../lib/print-measurement.js';
import { writeResults } from '../lib/write-results.js';
import { curlDownload } from './curl-download.js';
import type { DownloadFigures } from './download-figures.js';
import { cpuPerGiB, downloadDetails, seconds, type DownloadSamples } from './download-samples.js';
import { fileSha256 } from './file-sha256.js';
import { describeFileSystem, measureFsyncLatency } from './file-system-facts.js';
import { generatedContent, sha256Hex } from './generated-content.js';
import { jsDownloaders } from './js-downloaders.js';
import { ceilingProbes } from './machine-ceiling.js';
import { startRangeFileServer } from './range-file-server.js';
import { runCommand } from './run-command.js';
import { runWorkerResult, workerPath } from './run-worker.js';
import { createWorkDirectory } from './work-directory.js';

const MiB = 2 ** 20;
const options = benchOptions();
const size = options.quick ? 64 * MiB : 1024 * MiB;
// Five runs at full size (each contender moves 1 GiB per run) keep B1 to a few minutes.
const runs = Math.min(options.runs, 5);
const sizeLabel = size >= 1024 * MiB ? `${size / (1024 * MiB)} GiB` : `${size / MiB} MiB`;
console.log(`B1  large download throughput: one ${sizeLabel} file from a local Range server${options.quick ? ' (BENCH_QUICK: smaller file, fewer runs)' : ''}, medians of ${runs} runs`);

const work = createWorkDirectory('b1');
const content = generatedContent(size);
const contentSha = sha256Hex(content);
const server = await startRangeFileServer({ content });
const worker = workerPath(import.meta.url, './download-worker.ts');
const destination = work.join('download.bin');

interface Contender {
  readonly name: string;
  run(): Promise<DownloadFigures>;
}
const contenders: Contender[] = [
  { name: 'bgsession', run: () => runWorkerResult<DownloadFigures>(worker, ['bgsession', server.url, destination, work.join('session')]) },
  ...Object.keys(jsDownloaders).map((name) => ({ name, run: async () => thenSync(await runWorkerResult<DownloadFigures>(worker, [name, server.url, destination, work.join('session')])) })),
  { name: 'curl -o', run: () => curlDownload(server.url, destination) },
];

/**
 * A JS peer's figures with the time of `sync <file>` after it (coreutils: an fsync of that file),
 * as for curl: the peer's bytes made durable, which bgsession's time includes. Printed beside the
 * peers; the goal is against the peers as they are.
 */
async function thenSync(figures: DownloadFigures): Promise<DownloadFigures & { readonly syncSeconds: number }> {
  const start = performance.now();
  const sync = await runCommand('sync', [destination]);
  if (sync.code !== 0) throw new Error(`sync ${destination} failed: ${sync.stderr}`);
  return { ...figures, syncSeconds: (performance.now() - start) / 1000 };
}

const measurements: Measurement[] = [];
try {
  const fileSystem = describeFileSystem(work.path);
  const fsync = measureFsyncLatency(work.path, options.quick ? 50 : 200);
  const samples: DownloadSamples[] = contenders.map((c) => ({ name: c.name, runs: [] }));
  const verified = new Set<string>();
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      const contender = contenders[index] as Contender;
      work.clear('download.bin');
      work.clear('session');
      // Every contender starts with no dirty pages of the one before it waiting to be written.
      await runCommand('sync', []);
      const figures = await contender.run();
      if (figures.bytes !== size) throw new Error(`${contender.name} wrote ${figures.bytes} bytes, expected ${size}`);
      if (!verified.has(contender.name)) {
        const sha = await fileSha256(destination);
        if (sha !== contentSha) throw new Error(`${contender.name}: the file's sha256 is ${sha ?? 'unreadable'}, expected ${contentSha}`);
        verified.add(contender.name);
      }
      samples[index]?.runs.push(figures);
    }
    console.log(`  run ${round + 1}/${runs}: ${samples.map((s) => `${s.name} ${formatFigure(s.runs.at(-1)?.seconds ?? Number.NaN)} s`).join(', ')}`);
  }
  work.clear('download.bin');
  work.clear('session');
  const [bgsession, ...peers] = samples as [DownloadSamples, ...DownloadSamples[]];
  const curl = peers.at(-1) as DownloadSamples;
  const jsPeers = peers.slice(0, -1);

  const timeTable = (list: readonly DownloadSamples[], withSyncOf: readonly DownloadSamples[]) => [
    ...list.map((s) => ({ name: s.name, samples: seconds(s), details: downloadDetails(s, size) })),
    ...withSyncOf.map((s) => ({ name: `${s.name}, then sync <file>`, samples: seconds(s, true), details: downloadDetails(s, size, true) })),
  ];
  measurements.push(
    measurement({
      id: 'b1.1',
      title: `${sizeLabel} download, bgsession against the JS peers (from the request to the file complete; bgsession: durable, task end committed)`,
      unit: 's',
      contenders: timeTable([bgsession, ...jsPeers], jsPeers),
      goal: {
        subject: 'bgsession / the fastest JS peer, time',
        comparison: '<',
        limit: 1,
        unit: 'x',
        value: (_, ratios) => Math.max(...jsPeers.map((peer) => ratios[peer.name] ?? Number.POSITIVE_INFINITY)),
      },
      notes: [
        'the JS peers never sync: their bytes may still be in the page cache when they finish; bgsession fsyncs every 4 MiB checkpoint and before the hand-over',
        "'then sync <file>': the peer's time plus an fsync of its file after it (coreutils sync), the durable comparison; printed, the goal is against the peers as they are",
      ],
    }),
    measurement({
      id: 'b1.2',
      title: `${sizeLabel} download, bgsession against curl`,
      unit: 's',
      contenders: timeTable([bgsession, curl], [curl]),
      goal: { subject: 'bgsession / curl -o, time', comparison: '<=', limit: 1.3, unit: 'x', value: (_, ratios) => ratios['curl -o'] ?? Number.NaN },
      notes: ["curl's time is its own %{time_total} (no process start); `sync <file>` is timed after it exits, the comparison with bgsession's durable file"],
    }),
    measurement({
      id: 'b1.3',
      title: 'CPU seconds per GiB downloaded (user + system of the downloading process; the server is not counted)',
      unit: 'CPU s/GiB',
      contenders: [bgsession, ...jsPeers, curl].map((s) => ({ name: s.name, samples: cpuPerGiB(s) })),
      notes: ['JS contenders: process.cpuUsage() over the download; curl: /usr/bin/time, the whole process'],
    }),
  );

  const ceiling = ceilingProbes({ content, url: server.url, path: work.join('dd.bin') });
  const ceilingRuns = Math.min(runs, 3);
  const ceilingSamples = ceiling.map(() => [] as number[]);
  for (let round = 0; round < ceilingRuns; round++) {
    for (let k = 0; k < ceiling.length; k++) {
      const index = (k + round) % ceiling.length;
      ceilingSamples[index]?.push(await (ceiling[index] as (typeof ceiling)[number]).run());
    }
  }
  measurements.push(
    measurement({
      id: 'b1.4',
      title: `the machine's ceiling for ${sizeLabel} (read every ratio against it)`,
      unit: 's',
      contenders: ceiling.map((probe, i) => ({ name: probe.name, samples: ceilingSamples[i] ?? [], details: (m: number) => ({ 'MB/s': formatFigure(size / 1e6 / m) }) })),
      compare: false,
      notes: [
        `bench directory: ${work.path.replace(/\/results\/.*$/, '')} on ${fileSystem.device}, ${fileSystem.type}, mounted on ${fileSystem.mountedOn}, ${formatFigure(fileSystem.availableGiB)} GiB free`,
        `fsync latency there (append 4 KiB + fdatasync, ${fsync.samples} times): median ${formatFigure(fsync.medianMs)} ms, p99 ${formatFigure(fsync.p99Ms)} ms`,
        `bgsession at ${formatFigure(size / 1e6 / median(seconds(bgsession)))} MB/s is ${formatFigure((100 * median(ceilingSamples[1] ?? [])) / median(seconds(bgsession)))}% of the dd + fdatasync rate`,
      ],
    }),
  );
} finally {
  await server.close();
  work.remove();
}

for (const m of measurements) printMeasurement(m);
const path = writeResults('b1', { quick: options.quick, runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB1: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
