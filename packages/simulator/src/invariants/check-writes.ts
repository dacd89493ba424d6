import type { Violation } from './invariant-sentences.js';

/**
 * #20 No write where the app did not ask: every path written (created, written, truncated,
 * renamed from or to, linked to, removed) lies inside `storeRoot` or is exactly one of `allowed`
 * (the app's destination paths, and the locations the files chosen in its directories were
 * delivered at).
 *
 * @example
 * ```ts
 * expect(checkWrites(writtenPaths, { storeRoot: '/sessions', allowed: new Set(['/downloads/a.bin']) })).toEqual([]);
 * ```
 */
export function checkWrites(written: readonly string[], input: { readonly storeRoot: string; readonly allowed: ReadonlySet<string> }): Violation[] {
  const outside = [...new Set(written)].filter((path) => path !== input.storeRoot && !path.startsWith(`${input.storeRoot}/`) && !input.allowed.has(path));
  return outside.map((path) => ({ invariant: 20, message: `the library wrote ${JSON.stringify(path)}, outside the store and the app's destinations` }));
}
