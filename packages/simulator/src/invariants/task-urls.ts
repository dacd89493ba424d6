import type { Trace } from '../trace/trace.js';

/**
 * The URL each task was created for, by `session#taskIdentifier` (the last creation wins, which
 * only matters when #5 is broken).
 *
 * @example
 * ```ts
 * taskUrls(world.trace).get('app#1'); // 'https://files.example/file-0.bin'
 * ```
 */
export function taskUrls(trace: Trace): Map<string, string> {
  const urls = new Map<string, string>();
  for (const created of trace.ofKind('created')) urls.set(`${created.session}#${created.taskIdentifier}`, created.url);
  return urls;
}
