import type { HeaderMap } from '@bgsession/core';

/**
 * Response headers as the core reads them: lower-case names, repeated fields joined with ", "
 * (RFC 9110 5.3). Undici already lower-cases names and gives repeated fields as arrays.
 */
export function responseHeaderMap(headers: Readonly<Record<string, string | readonly string[] | undefined>>): HeaderMap {
  // Names defined rather than assigned, and looked up as own properties: `constructor`,
  // `toString` or `__proto__` sent by a server are headers like any other. A plain object still,
  // as the headers read back from the store after a relaunch are (an app may call its methods).
  const map: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = typeof value === 'string' ? value : value.join(', ');
    const earlier = Object.hasOwn(map, key) ? map[key] : undefined;
    Object.defineProperty(map, key, { value: earlier === undefined ? text : `${earlier}, ${text}`, enumerable: true, writable: true, configurable: true });
  }
  return map;
}
