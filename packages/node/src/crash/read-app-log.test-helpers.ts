import { existsSync, readFileSync } from 'node:fs';
import type { AppLogLine } from './crash-plan.test-helpers.js';

/**
 * The lines of a crash child's app log. A line cut by a kill in the middle of its write (the last
 * one without its newline, or a fragment the next launch ended with one) does not count: its
 * handler never returned.
 *
 * @example
 * ```ts
 * const delivered = readAppLog(plan.appLog).filter((line) => line.kind === 'delivered');
 * ```
 */
export function readAppLog(path: string): AppLogLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').flatMap((line) => {
    try {
      return line === '' ? [] : [JSON.parse(line) as AppLogLine];
    } catch {
      return [];
    }
  });
}
