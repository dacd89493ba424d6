import type { HeaderMap } from '@bgsession/core';

/**
 * Fields whose raw UTF-8 is read as UTF-8. Undici reads every header value as Latin-1 (RFC 9110
 * 5.5: obs-text), so a server sending `Location: /café` in UTF-8 would send the task to
 * /caf%C3%83%C2%A9 and `filename="résumé.pdf"` would be saved as `rÃ©sumÃ©.pdf`. Browsers and
 * curl read these two as UTF-8 when the bytes are valid UTF-8; other fields stay as sent.
 */
const utf8Fields: ReadonlySet<string> = new Set(['location', 'content-disposition']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Response headers as the core reads them: lower-case names, repeated fields joined with ", "
 * (RFC 9110 5.3), and `Location` and `Content-Disposition` sent as raw UTF-8 decoded as UTF-8.
 * Undici already lower-cases names and gives repeated fields as arrays.
 *
 * @example
 * ```ts
 * responseHeaderMap({ 'x-part': ['1', '2'], location: '/caf\u00c3\u00a9' });
 * // { 'x-part': '1, 2', location: '/café' }
 * ```
 */
export function responseHeaderMap(headers: Readonly<Record<string, string | readonly string[] | undefined>>): HeaderMap {
  // Names defined rather than assigned, and looked up as own properties: `constructor`,
  // `toString` or `__proto__` sent by a server are headers like any other. A plain object still,
  // as the headers read back from the store after a relaunch are (an app may call its methods).
  const map: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : value;
    const text = (utf8Fields.has(key) ? values.map(fromRawUtf8) : values).join(', ');
    const earlier = Object.hasOwn(map, key) ? map[key] : undefined;
    Object.defineProperty(map, key, { value: earlier === undefined ? text : `${earlier}, ${text}`, enumerable: true, writable: true, configurable: true });
  }
  return map;
}

/** `value`'s Latin-1 characters (one per byte on the wire) decoded as UTF-8, or `value` when they are not UTF-8. */
function fromRawUtf8(value: string): string {
  let aboveAscii = false;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    // Not one byte per character: not the Latin-1 reading of raw bytes, nothing to undo.
    if (code > 0xff) return value;
    if (code > 0x7f) aboveAscii = true;
  }
  if (!aboveAscii) return value;
  const bytes = Uint8Array.from(value, (char) => char.charCodeAt(0));
  try {
    return utf8.decode(bytes);
  } catch {
    return value;
  }
}
