/**
 * The `n`-th alternative to a file name for `ifExists: 'rename'`, in the style desktop browsers
 * use: the number goes before the extension, so the file still opens with the same application.
 * A leading dot is part of the name, not an extension (`.env` -> `.env (1)`).
 *
 * @example
 * ```ts
 * numberedName('report.pdf', 1); // 'report (1).pdf'
 * numberedName('archive.tar.gz', 2); // 'archive.tar (2).gz'
 * numberedName('README', 3); // 'README (3)'
 * ```
 */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}
