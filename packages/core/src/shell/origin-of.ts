/**
 * The origin of a URL (what the per-host limit counts, and what credentials are bound to); a URL
 * that does not parse counts as its own origin.
 *
 * @example
 * ```ts
 * originOf('https://a.example:8443/x'); // 'https://a.example:8443'
 * ```
 */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Whether two URLs share an origin (a URL that does not parse shares none). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
