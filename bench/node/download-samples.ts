import { median } from '../lib/median.js';
import { formatFigure } from '../lib/print-measurement.js';
import type { CurlFigures } from './curl-download.js';
import type { DownloadFigures } from './download-figures.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Every run's figures of one contender of B1. */
export interface DownloadSamples {
  readonly name: string;
  readonly runs: DownloadFigures[];
}

/** The numbers of a list of figures that are known. */
function known(values: ReadonlyArray<number | null>): number[] {
  return values.filter((value): value is number => value !== null && Number.isFinite(value));
}

/**
 * The seconds of each run (`withSync`: curl's time plus its `sync <file>`).
 *
 * @example
 * ```ts
 * seconds(samples); // [1.2, 1.1, 1.3]
 * ```
 */
export function seconds(samples: DownloadSamples, withSync = false): number[] {
  return samples.runs.map((run) => run.seconds + (withSync ? ((run as Partial<CurlFigures>).syncSeconds ?? Number.NaN) : 0));
}

/**
 * CPU seconds per GiB moved, one figure per run (runs whose CPU is unknown are left out).
 *
 * @example
 * ```ts
 * cpuPerGiB(samples); // [0.61, 0.58, 0.6]
 * ```
 */
export function cpuPerGiB(samples: DownloadSamples): number[] {
  return known(samples.runs.map((run) => (run.cpuSeconds === null ? null : run.cpuSeconds / (run.bytes / GiB))));
}

/**
 * The columns B1 prints beside a contender's median time: MB/s, CPU seconds per GiB and peak RSS
 * (above idle where the idle RSS is known, the whole process otherwise).
 *
 * @example
 * ```ts
 * downloadDetails(samples, size)(medianSeconds); // { 'MB/s': '512', 'CPU s/GiB': '0.61', 'peak RSS': '+12.3 MiB above idle' }
 * ```
 */
export function downloadDetails(samples: DownloadSamples, size: number, withSync = false): (medianSeconds: number) => Record<string, string> {
  return (medianSeconds) => {
    const cpu = median(cpuPerGiB(samples));
    const peaks = known(samples.runs.map((run) => run.peakRss));
    const above = known(samples.runs.map((run) => (run.peakRss === null || run.idleRss === null ? null : run.peakRss - run.idleRss)));
    const rss =
      above.length > 0 ? `${formatFigure(median(peaks) / MiB)} MiB (+${formatFigure(median(above) / MiB)} over idle)` : peaks.length > 0 ? `${formatFigure(median(peaks) / MiB)} MiB (whole process)` : '';
    return {
      'MB/s': formatFigure(size / 1e6 / medianSeconds),
      'CPU s/GiB': withSync || Number.isNaN(cpu) ? '' : formatFigure(cpu),
      'peak RSS': withSync ? '' : rss,
    };
  };
}
