import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Collects garbage fully (the benchmarks run with `--expose-gc`), so an RSS read after it holds
 * what is live, not what a lazy collector left: `passes` full collections in a row.
 *
 * Before a timed download, one pass: three in a row made V8 measure its mutator utilization near
 * zero and choose its tightest old-generation limit, after which any process whose old generation
 * grew at all (bgsession's in-flight chunks) collected fully every 40 ms, in about one run of two
 * (B1: 3.0 s and 4.3 CPU s against 1.8 s and 2.2; `--trace-gc` showed about 100 mark-compacts per
 * GiB against none). B5, which times no transfer after it, keeps three passes at both readings.
 *
 * @example
 * ```ts
 * collectGarbage();
 * const idle = process.memoryUsage.rss();
 * ```
 */
export function collectGarbage(passes = 1): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc (bench/run.mjs does)');
  for (let i = 0; i < passes; i++) gc();
}

/** A field of /proc/self/status in bytes (`VmHWM`, `VmRSS`), or null where there is none. */
function statusBytes(field: string): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** Watches this process's peak RSS from `start` on. */
export interface PeakRssProbe {
  /** RSS at `start`, after a full GC. */
  readonly idle: number;
  /** How the peak is known: the kernel's high-water mark, or sampling every 5 ms where it cannot be reset. */
  readonly method: 'VmHWM' | 'sampled';
  /** The highest RSS since `start`, in bytes; stops sampling. */
  stop(): number;
}

/**
 * Starts watching this process's peak RSS: collects garbage (`gcPasses` full collections, see
 * {@link collectGarbage}), reads the idle RSS, then resets the
 * kernel's high-water mark (`echo 5 > /proc/self/clear_refs`), so startup (the tsx loader compiling
 * the sources) does not count. Where that is refused, samples RSS every 5 ms instead, which can miss
 * a short peak.
 *
 * @example
 * ```ts
 * const probe = startPeakRss();
 * await download();
 * const aboveIdle = probe.stop() - probe.idle;
 * ```
 */
export function startPeakRss(gcPasses = 1): PeakRssProbe {
  collectGarbage(gcPasses);
  const idle = process.memoryUsage.rss();
  let reset = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    reset = statusBytes('VmHWM') !== null;
  } catch {
    reset = false;
  }
  let sampled = idle;
  const timer = reset ? null : setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 5);
  return {
    idle,
    method: reset ? 'VmHWM' : 'sampled',
    stop: () => {
      if (timer !== null) clearInterval(timer);
      return reset ? (statusBytes('VmHWM') ?? sampled) : Math.max(sampled, process.memoryUsage.rss());
    },
  };
}
