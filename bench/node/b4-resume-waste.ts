// B4, resume waste (design/benchmarks.md): a 256 MiB download served at 40 MB/s, SIGKILLed at 10
// seeded random points and relaunched each time, by bgsession, `curl -C -`, `wget -c` (and
// `aria2c -c` where it is installed), the same kill schedule for each; bytes the server sent over
// the file's size. Run it with `pnpm bench b4` (or `pnpm bench node`).
import { benchOptions } from '../lib/bench-options.js';
import { measurement, type Measurement } from '../lib/measurement.js';
import { median } from '../lib/median.js';
import { formatFigure, printMeasurement } from '../lib/print-measurement.js';
import { writeResults } from '../lib/write-results.js';
import { generatedContent, sha256Hex } from './generated-content.js';
import { killSchedule } from './kill-schedule.js';
import { createKillSwitch } from './kill-switch.js';
import { startRangeFileServer } from './range-file-server.js';
import { bgsessionDownloader, commandDownloaders } from './resumable-downloaders.js';
import { downloadUnderKills, type ResumableDownloader, type ResumeRun } from './resume-under-kills.js';
import { hasCommand } from './run-command.js';
import { createWorkDirectory } from './work-directory.js';

const MiB = 2 ** 20;
const options = benchOptions();
const size = options.quick ? 32 * MiB : 256 * MiB;
const bytesPerSecond = 40e6;
const kills = 10;
const runs = options.quick ? 1 : Math.min(options.runs, 3);
console.log(`B4  resume waste: ${size / MiB} MiB served at ${bytesPerSecond / 1e6} MB/s, SIGKILLed at ${kills} seeded random points and relaunched${options.quick ? ' (BENCH_QUICK: smaller file, one schedule)' : ''}, ${runs} schedule(s)`);

const work = createWorkDirectory('b4');
const content = generatedContent(size);
const contentSha = sha256Hex(content);
const killSwitch = createKillSwitch();
const server = await startRangeFileServer({ content, bytesPerSecond, onChunk: killSwitch.onChunk });
const available = new Set<string>();
for (const command of ['curl', 'wget', 'aria2c']) if (await hasCommand(command)) available.add(command);
const downloaders: ResumableDownloader[] = [bgsessionDownloader(server.url, work.join('bgsession')), ...commandDownloaders(server.url, work.path, available)];

const measurements: Measurement[] = [];
try {
  const results = downloaders.map(() => [] as ResumeRun[]);
  for (let round = 0; round < runs; round++) {
    const seed = round + 1;
    const schedule = killSchedule(size, kills, seed);
    console.log(`  schedule ${seed}: kill at ${schedule.map((offset) => `${formatFigure(offset / MiB)}`).join(', ')} MiB`);
    for (let k = 0; k < downloaders.length; k++) {
      const index = (k + round) % downloaders.length;
      const downloader = downloaders[index] as ResumableDownloader;
      killSwitch.arm(schedule);
      const run = await downloadUnderKills(downloader, server, killSwitch, contentSha, kills);
      if (run.kills !== kills) throw new Error(`${downloader.name}: killed ${run.kills} times, the schedule has ${kills}`);
      results[index]?.push(run);
      console.log(
        `    ${downloader.name}: ${formatFigure(run.bytesSent / size)}x the file (lost per kill: ${run.lostPerKill.map((b) => formatFigure(b / 1024)).join(', ')} KiB) in ${run.requests} requests, ${run.rangeRequests} with Range, ${run.ifRangeRequests} with If-Range, sha256 ${run.sha256Ok ? 'ok' : 'MISMATCH'}`,
      );
    }
  }
  const summary = (list: readonly ResumeRun[]) => () => ({
    sha256: `${list.filter((r) => r.sha256Ok).length}/${list.length} ok`,
    'If-Range': `on ${list.reduce((n, r) => n + r.ifRangeRequests, 0)} of ${list.reduce((n, r) => n + r.rangeRequests, 0)} resumes`,
    'restarts from 0': String(list.reduce((n, r) => n + r.restarts, 0)),
    'lost per kill, median': `${formatFigure(median(list.flatMap((r) => r.lostPerKill)) / 1024)} KiB`,
  });
  const bgsessionRuns = results[0] ?? [];
  const bgsessionSound = bgsessionRuns.every((r) => r.sha256Ok && r.ifRangeRequests === r.rangeRequests && r.rangeRequests > 0);
  measurements.push(
    measurement({
      id: 'b4',
      title: `bytes the server sent / file size, ${kills} SIGKILLs and relaunches per download`,
      unit: 'x size',
      contenders: downloaders.map((d, i) => ({ name: d.name, samples: (results[i] ?? []).map((r) => r.bytesSent / size), details: summary(results[i] ?? []) })),
      goal: {
        subject: 'bgsession, with sha256 equal and If-Range on every resume (else Infinity)',
        comparison: '<=',
        limit: 1.02,
        unit: 'x',
        value: (medians) => (bgsessionSound ? (medians[0] ?? Number.NaN) : Number.POSITIVE_INFINITY),
      },
      notes: [
        'bytes are counted when the server hands them to the socket: what a killed client never read counts as sent',
        `kill: SIGKILL to the process once the server has handed out the byte at the schedule's offset, the connection dropped at once; schedules from mulberry32(seed 1..${runs})`,
        ...(available.has('aria2c') ? [] : ['aria2c: not installed on this machine, not measured (benchmarks.md measured 1.828 elsewhere)']),
      ],
    }),
  );
} finally {
  await server.close();
  work.remove();
}

for (const m of measurements) printMeasurement(m);
const path = writeResults('b4', { quick: options.quick, runs, measurements });
const missed = measurements.filter((m) => m.goal !== null && !m.goal.pass).map((m) => m.id.toUpperCase());
console.log(`\nB4: ${missed.length === 0 ? 'every goal PASS' : `MISS in ${missed.join(', ')}`}; results in ${path}`);
