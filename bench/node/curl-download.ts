import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { DownloadFigures } from './download-figures.js';
import { runCommand } from './run-command.js';

/** A curl download, and the `sync <file>` after it. */
export interface CurlFigures extends DownloadFigures {
  /** How long `sync <file>` (an fsync of the file) took after curl exited. */
  readonly syncSeconds: number;
}

const timeProgram = '/usr/bin/time';

/**
 * Downloads with `curl -o`, timed by curl itself (`%{time_total}`: from the start of the transfer
 * to the last byte written, without the process start), its CPU and peak RSS read by
 * `/usr/bin/time` when it is there; then times `sync <file>` (coreutils: fsync of that file), so
 * "curl followed by sync" is the same bytes made durable, as bgsession makes them.
 *
 * @example
 * ```ts
 * const { seconds, syncSeconds } = await curlDownload(server.url, work.join('curl.bin'));
 * ```
 */
export async function curlDownload(url: string, destination: string): Promise<CurlFigures> {
  const timeFile = `${destination}.time`;
  const curlArgs = ['-sS', '--fail', '-o', destination, '-w', '%{time_total}', url];
  const timed = existsSync(timeProgram);
  const exit = timed ? await runCommand(timeProgram, ['-f', '%U %S %M', '-o', timeFile, 'curl', ...curlArgs]) : await runCommand('curl', curlArgs);
  if (exit.code !== 0) throw new Error(`curl failed (${exit.signal ?? `exit ${String(exit.code)}`}): ${exit.stderr}`);
  let cpuSeconds: number | null = null;
  let peakRss: number | null = null;
  if (timed) {
    const [user, system, maxKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    rmSync(timeFile, { force: true });
    cpuSeconds = Number(user) + Number(system);
    peakRss = Number(maxKiB) * 1024;
  }
  const syncStart = performance.now();
  const sync = await runCommand('sync', [destination]);
  const syncSeconds = (performance.now() - syncStart) / 1000;
  if (sync.code !== 0) throw new Error(`sync ${destination} failed: ${sync.stderr}`);
  return {
    contender: 'curl -o',
    seconds: Number(exit.stdout.trim()),
    bytes: statSync(destination).size,
    cpuSeconds,
    idleRss: null,
    peakRss,
    peakMethod: 'time',
    syncSeconds,
  };
}
