import type { HeaderMap } from '@bgsession/core';

/**
 * Response headers as the core reads them: lower-case names, repeated fields joined with ", "
 * (RFC 9110 5.3). Undici already lower-cases names and gives repeated fields as arrays.
 */
export function responseHeaderMap(headers: Readonly<Record<string, string | readonly string[] | undefined>>): HeaderMap {
  const map: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = typeof value === 'string' ? value : value.join(', ');
    map[key] = map[key] === undefined ? text : `${map[key]}, ${text}`;
  }
  return map;
}
