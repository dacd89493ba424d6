/** What one relaunch of B5 measured (relaunch-worker.ts prints it). */
export interface RelaunchFigures {
  /** `bgsession` or `json` (the baseline). */
  readonly mode: string;
  /** bgsession: from openSession called to the first event delivered; json: readFile + JSON.parse. */
  readonly seconds: number;
  /** bgsession: until openSession resolved. */
  readonly openSeconds: number;
  /** bgsession: until `allTasks()` resolved (every stored task joined, relaunched). */
  readonly loadedSeconds: number;
  /** Tasks the session holds (or items parsed). */
  readonly tasks: number;
  /** RSS before, after a full GC, in bytes. */
  readonly idleRss: number;
  /** RSS after, after a full GC (bgsession: the first event delivered and every task joined). */
  readonly rss: number;
  /** bgsession: RSS 10 s later, the session idle, after a full GC (json: the same as `rss`). */
  readonly settledRss: number;
  readonly heapUsed: number;
  /** The highest RSS from before the open to every task joined. */
  readonly peakRss: number;
}
