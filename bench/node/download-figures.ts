/** What one timed download measured (download-worker.ts prints it, B1 and B2 read it). */
export interface DownloadFigures {
  readonly contender: string;
  /** From the request to the file complete at its path (bgsession: the task's end committed). */
  readonly seconds: number;
  /** The file's size afterwards. */
  readonly bytes: number;
  /** User + system CPU of the downloading process over the download (every thread); null when unknown. */
  readonly cpuSeconds: number | null;
  /** RSS after a full GC once the contender was ready (bgsession: session open), in bytes; null when unknown. */
  readonly idleRss: number | null;
  /** The highest RSS during the download, in bytes; null when unknown. */
  readonly peakRss: number | null;
  /** How the peak was read: `VmHWM` (the kernel's high-water mark), `sampled`, or `time` (/usr/bin/time, whole process). */
  readonly peakMethod: string;
}
