/** An http(s) URL's scheme and authority, which alone make its origin; nothing the URL parser strips or maps. */
const authorityPart = /^https?:\/\/[^/?#\\\s]*(?=[/?#]|$)/i;
/** Origins kept by authority: a session's tasks go to a few hosts. Past this many, the cache starts again. */
const cacheSize = 1024;
const byAuthority = new Map<string, string | null>();

/**
 * The origin of a URL (what the per-host limit counts, and what credentials are bound to); a URL
 * that does not parse counts as its own origin. Parsed once per authority: a relaunch queues
 * 100,000 tasks over a few hosts, and parsing each URL whole took half of its time to queue them
 * (B5). The parser reads the authority up to the first `/`, `?` or `#`, so that part alone has the
 * same origin; an authority that does not parse leaves the whole URL to the parser.
 *
 * @example
 * ```ts
 * originOf('https://a.example:8443/x'); // 'https://a.example:8443'
 * ```
 */
export function originOf(url: string): string {
  const authority = authorityPart.exec(url)?.[0];
  if (authority === undefined) return parsedOrigin(url) ?? url;
  let origin = byAuthority.get(authority);
  if (origin === undefined) {
    origin = parsedOrigin(authority);
    if (byAuthority.size >= cacheSize) byAuthority.clear();
    byAuthority.set(authority, origin);
  }
  return origin ?? parsedOrigin(url) ?? url;
}

function parsedOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
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
