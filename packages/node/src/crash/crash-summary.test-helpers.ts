import type { ScenarioResult } from './run-crash-scenario.test-helpers.js';

/**
 * Real kills over `results`, by label (see `killLabel`).
 *
 * @example
 * ```ts
 * const dataWrites = killsByLabel(results).get('data-write') ?? 0;
 * ```
 */
export function killsByLabel(results: readonly ScenarioResult[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const result of results) for (const [label, count] of result.kills) total.set(label, (total.get(label) ?? 0) + count);
  return total;
}

/**
 * One line for the log: kills per point, misses, launches, resumes checked and kept bytes fetched
 * again (#7), and bytes the server sent over the bytes of the files (above 1 by what it wrote to
 * sockets of children that died before reading it).
 *
 * @example
 * ```ts
 * console.log(crashSummary('named points', results));
 * ```
 */
export function crashSummary(title: string, results: readonly ScenarioResult[]): string {
  const kills = killsByLabel(results);
  const total = [...kills.values()].reduce((sum, count) => sum + count, 0);
  const sent = results.reduce((sum, result) => sum + result.bytesSent, 0);
  const files = results.reduce((sum, result) => sum + result.fileBytes, 0);
  const perPoint = [...kills].map(([label, count]) => `${label} ${count}`).join(', ');
  const misses = results.reduce((sum, result) => sum + result.misses, 0);
  const launches = results.reduce((sum, result) => sum + result.launches, 0);
  const seeds = results.map((result) => result.seed);
  const resumes = results.reduce((sum, result) => sum + result.resumes, 0);
  const refetched = results.reduce((sum, result) => sum + result.refetchedBytes, 0);
  return `C17 ${title}: ${total} kills (${perPoint || 'none'}) over ${results.length} seed(s) [${seeds.join(', ')}], ${misses} planned kill(s) missed, ${launches} launches; ${resumes} resumed request(s) checked, ${refetched} kept byte(s) fetched again; bytes sent / file bytes ${sent} / ${files} = ${files === 0 ? '-' : (sent / files).toFixed(3)} (the excess was written to sockets of killed children, never read)`;
}
