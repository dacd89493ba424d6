import { spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, quantile } from '../lib/median.js';

/** The file system a directory is on, as `df -T` reports it. */
export interface FileSystemFacts {
  readonly device: string;
  readonly type: string;
  readonly mountedOn: string;
  readonly availableGiB: number;
}

/**
 * `df -T` of a directory: its device, file system type, mount point and free space.
 *
 * @example
 * ```ts
 * describeFileSystem('/srv/app/bench'); // { device: '/dev/vda', type: 'ext4', ... }
 * ```
 */
export function describeFileSystem(directory: string): FileSystemFacts {
  const df = spawnSync('df', ['-T', '-k', directory], { encoding: 'utf8' });
  const fields = (df.stdout ?? '').trim().split('\n').at(-1)?.split(/\s+/) ?? [];
  return { device: fields[0] ?? '?', type: fields[1] ?? '?', mountedOn: fields[6] ?? '?', availableGiB: Number(fields[4] ?? Number.NaN) / 2 ** 20 };
}

/** How long one small durable write takes. */
export interface FsyncLatency {
  readonly samples: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/**
 * The latency of appending 4 KiB to a file and `fdatasync`ing it, `samples` times, in `directory`:
 * what each durable journal commit pays at least.
 *
 * @example
 * ```ts
 * const { medianMs } = measureFsyncLatency(work.path, 100);
 * ```
 */
export function measureFsyncLatency(directory: string, samples: number): FsyncLatency {
  const path = join(directory, 'fsync-probe.bin');
  const block = Buffer.alloc(4096, 7);
  const fd = openSync(path, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - start);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return { samples, medianMs: median(times), p99Ms: quantile(times, 0.99) };
}
