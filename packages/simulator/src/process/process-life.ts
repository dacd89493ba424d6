/** What a simulated host process is doing. */
export type ProcessState = 'running' | 'suspended' | 'dead';

/**
 * The life of one simulated host process: the switch that makes its code stop exactly as an OS
 * stops a real one. While it runs, continuations run at once; while it is suspended they wait, in
 * order, for `resume()` (time passes, nothing runs); once it is dead they never run, so the code
 * of a killed process never sees another result, fires another timer or reaches the disk again.
 *
 * @example
 * ```ts
 * const life = new ProcessLife();
 * const read = life.gate(() => disk.readFile('/x'));
 * life.die(); // `read` never settles now, whatever the disk does
 * ```
 */
export class ProcessLife {
  private current: ProcessState = 'running';
  private held: (() => void)[] = [];
  private readonly onDeath = new Set<() => void>();
  private readonly controller = new AbortController();

  /** The process's state. */
  get state(): ProcessState {
    return this.current;
  }

  /** Aborted when the process dies: for the connections it holds. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs `continuation` now while running, at `resume()` while suspended, never once dead. */
  whenRunning(continuation: () => void): void {
    if (this.current === 'running') continuation();
    else if (this.current === 'suspended') this.held.push(continuation);
  }

  /**
   * Starts `operation` while the process runs and hands its outcome back only while it still
   * runs: held over a suspension, dropped after death (the promise then never settles).
   */
  gate<T>(operation: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.whenRunning(() => {
        operation().then(
          (value) => this.whenRunning(() => resolve(value)),
          (error: unknown) => this.whenRunning(() => reject(error)),
        );
      });
    });
  }

  /** Registers what to release when the process dies (timers, connections); returns its removal. */
  atDeath(release: () => void): () => void {
    if (this.current === 'dead') {
      release();
      return () => undefined;
    }
    this.onDeath.add(release);
    return () => this.onDeath.delete(release);
  }

  /** Nothing of the process runs until {@link resume}; a dead process stays dead. */
  suspend(): void {
    if (this.current === 'running') this.current = 'suspended';
  }

  /** Runs what waited during the suspension, in the order it waited. */
  resume(): void {
    if (this.current !== 'suspended') return;
    this.current = 'running';
    while (this.held.length > 0 && this.current === 'running') {
      const waiting = this.held;
      this.held = [];
      for (let index = 0; index < waiting.length; index += 1) {
        // A continuation may suspend or kill the process again: the rest waits, or is dropped.
        if (this.current !== 'running') {
          if (this.current === 'suspended') this.held = [...waiting.slice(index), ...this.held];
          return;
        }
        waiting[index]?.();
      }
    }
  }

  /** Kills the process: held continuations are dropped, timers and connections released. */
  die(): void {
    if (this.current === 'dead') return;
    this.current = 'dead';
    this.held = [];
    this.controller.abort();
    const releases = [...this.onDeath];
    this.onDeath.clear();
    for (const release of releases) release();
  }
}
