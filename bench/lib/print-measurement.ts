import type { Measurement } from './measurement.js';

/**
 * A figure with three significant digits, or more when it is large (12345 stays 12345).
 *
 * @example
 * ```ts
 * formatFigure(0.012345); // '0.0123'
 * ```
 */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/**
 * Prints a measurement as a table: each contender's median and range over the runs, the ratio
 * bgsession / contender, any details, then the goal with PASS or MISS, then the notes.
 *
 * @example
 * ```ts
 * printMeasurement(measurement({ id: 'b6.2', title: 'lifecycle', unit: 'ms', contenders }));
 * ```
 */
export function printMeasurement(m: Measurement): void {
  const detailKeys = [...new Set(m.contenders.flatMap((c) => Object.keys(c.details ?? {})))];
  const compared = Object.keys(m.ratios).length > 0;
  const header = ['', `median ${m.unit}`, `min..max (${m.contenders[0]?.samples.length ?? 0} runs)`, ...(compared ? ['bgsession / this'] : []), ...detailKeys];
  const rows = m.contenders.map((c) => [
    c.name,
    formatFigure(c.median),
    `${formatFigure(Math.min(...c.samples))}..${formatFigure(Math.max(...c.samples))}`,
    ...(compared ? [m.ratios[c.name] === undefined ? '' : `${m.ratios[c.name]?.toFixed(2)}x`] : []),
    ...detailKeys.map((key) => c.details?.[key] ?? ''),
  ]);
  console.log(`\n${m.id.toUpperCase()}  ${m.title}`);
  console.log(table([header, ...rows]).replace(/^/gm, '  '));
  if (m.goal !== null) {
    const g = m.goal;
    console.log(`  goal: ${g.subject} ${g.comparison} ${formatFigure(g.limit)}${g.unit}: ${formatFigure(g.value)}${g.unit}  ${g.pass ? 'PASS' : 'MISS'}`);
  }
  for (const note of m.notes) console.log(`  note: ${note}`);
}
