/** What one batch of B3 measured (small-tasks-worker.ts prints it). */
export interface SmallTasksFigures {
  /** `strict` or `relaxed` (bgsession's durability), `baseline`, or `durable` (the durable floor). */
  readonly mode: string;
  readonly tasks: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
}
