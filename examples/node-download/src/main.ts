// Issue 3's demo on the real Node host: `pnpm --filter @bgsession/example-node-download start`
// (scripts/with-tsx.mjs runs this file with tsx). NODE_DOWNLOAD_MIB sets the file's size (default 256).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentSha256 } from './content-sha256.js';
import { downloadClaims, type LoggedAck } from './download-claims.js';
import { fileSha256 } from './file-sha256.js';
import { formatMib } from './format-mib.js';
import { launchChild } from './launch-child.js';
import { startThrottledFileServer } from './throttled-file-server.js';

const MiB = 1024 * 1024;
const mib = Number(process.env['NODE_DOWNLOAD_MIB'] ?? 256);
if (!Number.isInteger(mib) || mib < 1 || mib > 4096) {
  console.error(`NODE_DOWNLOAD_MIB must be a whole number of MiB from 1 to 4096, not "${process.env['NODE_DOWNLOAD_MIB'] ?? ''}"`);
  process.exit(2);
}
const size = mib * MiB;
// Throttled so the whole body takes about 4 s whatever its size: long enough to kill part-way.
const bytesPerSecond = size / 4;
const killFraction = 0.4;
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;

console.log(`content: ${formatMib(size)}, generated in blocks, never held whole`);
const contentSha = contentSha256(size);
console.log(`content sha256 ${contentSha} (${elapsed()})`);
const etag = `"${contentSha.slice(0, 16)}"`;
const server = await startThrottledFileServer({ size, bytesPerSecond, etag });
const root = await mkdtemp(join(tmpdir(), 'bgsession-node-download-'));
const sessionDirectory = join(root, 'session');
const destination = join(root, 'big.bin');
const ackLog = join(root, 'acknowledged.jsonl');
const args = (mode: string): string[] => [mode, sessionDirectory, server.url, destination, ackLog];
console.log(`server ${server.url} (ETag ${etag}, ${formatMib(bytesPerSecond)}/s), session ${sessionDirectory}`);

const readAcks = async (): Promise<LoggedAck[]> =>
  existsSync(ackLog) ? (await readFile(ackLog, 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LoggedAck) : [];
const lastMatch = (lines: readonly string[], pattern: RegExp): RegExpExecArray | null =>
  lines.reduce<RegExpExecArray | null>((found, line) => pattern.exec(line) ?? found, null);

try {
  console.log(`\nlaunch 1: download, SIGKILL once it reports ${killFraction * 100}% (${elapsed()})`);
  let reportedBeforeKill = 0;
  const launch1 = launchChild(args('download'), 'launch 1', (line) => {
    const progress = /^progress (\d+)\//.exec(line);
    if (progress === null || reportedBeforeKill >= killFraction * size) return;
    reportedBeforeKill = Number(progress[1]);
    if (reportedBeforeKill >= killFraction * size) launch1.kill('SIGKILL');
  });
  const exit1 = await launch1.exit;
  console.log(`launch 1 exited: ${exit1.signal ?? `code ${exit1.code ?? '?'}`} after reporting ${formatMib(reportedBeforeKill)} (${elapsed()})`);
  // The server notices the dead connection on its next write; its count is final then.
  while (server.responses.some((served) => !served.closed)) await sleep(10);

  console.log(`\nlaunch 2: same session directory, same taskKey (${elapsed()})`);
  const launch2 = launchChild(args('download'), 'launch 2', () => undefined);
  const exit2 = await launch2.exit;
  const responsesAfterLaunch2 = [...server.responses];
  console.log(`launch 2 exited: ${exit2.signal ?? `code ${exit2.code ?? '?'}`} (${elapsed()})`);
  const acks = await readAcks();

  console.log(`\nlaunch 3: open again, expect nothing owed (${elapsed()})`);
  const launch3 = launchChild(args('check'), 'launch 3', () => undefined);
  const exit3 = await launch3.exit;
  const acksAfterLaunch3 = (await readAcks()).length;

  const fileSha = existsSync(destination) ? await fileSha256(destination) : null;
  const [first, second] = responsesAfterLaunch2;
  const checkpointOnOpen = Number(lastMatch(launch2.lines, /^opened 1 task\(s\) kept: .* checkpoint at (\d+) bytes$/)?.[1] ?? Number.NaN);
  const facts = {
    size,
    etag,
    reportedBeforeKill,
    launch1Signal: exit1.signal,
    checkpointOnOpen,
    launch2Code: exit2.code,
    launch2Outcome: lastMatch(launch2.lines, /^outcome (\w+)/)?.[1] ?? null,
    launch3Tasks: Number(lastMatch(launch3.lines, /^opened (\d+) task/)?.[1] ?? Number.NaN),
    launch3Code: exit3.code,
    responses: responsesAfterLaunch2,
    laterRequests: server.responses.length - responsesAfterLaunch2.length,
    contentSha256: contentSha,
    fileSha256: fileSha,
    acks,
    acksAfterLaunch3,
  };
  const claims = downloadClaims(facts);

  const kept = second?.start ?? 0;
  const sent = server.bytesSent();
  const row = (name: string, text: string): void => console.log(`  ${name.padEnd(9)} ${text}`);
  console.log(`\nsummary (${elapsed()})`);
  row('kill', `launch 1 SIGKILLed after reporting ${formatMib(reportedBeforeKill)} of ${formatMib(size)}`);
  const fetchedTwice = kept + (second?.bytesWritten ?? 0) - size;
  row('resume', `Range ${second?.range ?? 'none'}, If-Range ${second?.ifRange ?? 'none'}: ${formatMib(kept)} kept, ${formatMib(second?.bytesWritten ?? 0)} fetched, ${fetchedTwice} fetched twice`);
  row('', `kept ${formatMib(kept - checkpointOnOpen)} beyond launch 1's last checkpoint: a kill on the same boot loses no written byte`);
  row('server', `${responsesAfterLaunch2.map((r) => `${r.status} from ${r.start}: ${formatMib(r.bytesWritten)} written`).join('; ')}`);
  row('', `sent ${formatMib(sent)} in all: the file, plus ${formatMib(Math.max(0, (first?.bytesWritten ?? 0) - kept))} written to launch 1's socket but never read before it died`);
  row('file', `sha256 ${fileSha === contentSha ? 'ok' : 'MISMATCH'} (${(fileSha ?? 'no file').slice(0, 16)}...)`);
  row('events', `${acks.map((ack) => `${ack.type} ${ack.eventId.slice(0, 8)}...`).join(', ')}: each acknowledged once; launch 3 got ${acksAfterLaunch3 - acks.length}`);

  const failed = claims.filter((claim) => !claim.held);
  if (failed.length === 0) {
    console.log(`all ${claims.length} claims held`);
  } else {
    for (const claim of failed) console.error(`claim failed: ${claim.claim}`);
    process.exitCode = 1;
  }
} finally {
  await server.close();
  await rm(root, { recursive: true, force: true });
}
