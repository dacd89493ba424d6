import type { TraceEntry, TraceFact } from './trace-entry.js';

/**
 * Everything the world saw happen, in order: launches, kills and power losses, task creations,
 * every store commit (what it made durable), every delivery and handler return, progress and
 * outcomes. Invariant checkers read it; a failing test prints it. The same seed gives the same
 * trace, line for line.
 *
 * @example
 * ```ts
 * const deliveries = world.trace.entries.filter((entry) => entry.kind === 'delivered');
 * console.log(world.trace.format());
 * ```
 */
export class Trace {
  private readonly lines: TraceEntry[] = [];

  constructor(
    private readonly clock: { now(): number },
    private readonly generation: () => number,
  ) {}

  /** Every entry so far, in order. */
  get entries(): readonly TraceEntry[] {
    return this.lines;
  }

  /** Appends a fact at the current virtual time and generation. */
  add(fact: TraceFact): void {
    this.lines.push({ ...fact, at: this.clock.now(), generation: this.generation() } as TraceEntry);
  }

  /** The entries of one kind. */
  ofKind<K extends TraceEntry['kind']>(kind: K): Extract<TraceEntry, { kind: K }>[] {
    return this.lines.filter((entry): entry is Extract<TraceEntry, { kind: K }> => entry.kind === kind);
  }

  /** One line per entry (the last `limit`, when given), for a failing test's message. */
  format(limit?: number): string {
    const shown = limit === undefined ? this.lines : this.lines.slice(-limit);
    const skipped = this.lines.length - shown.length;
    const text = shown.map(formatEntry);
    return (skipped > 0 ? [`... ${skipped} earlier entries`, ...text] : text).join('\n');
  }
}

function formatEntry(entry: TraceEntry): string {
  const { at, generation, kind, ...rest } = entry;
  const details = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `t=${at} g${generation} ${kind}${details === '' ? '' : ` ${details}`}`;
}
