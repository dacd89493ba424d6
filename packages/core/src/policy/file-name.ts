import { truncateUtf8 } from '../codecs/truncate-utf8.js';

/** The name used when nothing better survives sanitising. */
export const fallbackFileName = 'download';

/** Longest name, in UTF-8 bytes, that every common file system accepts (ext4, APFS, NTFS: 255). */
const maxNameBytes = 255;

/** An extension longer than this is not kept whole when a name is shortened. */
const maxExtensionBytes = 32;

/**
 * Control characters, and characters Windows forbids in names (`<>:"/\|?*`): each becomes `_`.
 * `/` and `\` are what would let a name climb out of its directory.
 */
// eslint-disable-next-line no-control-regex
const replaced = /[\u0000-\u001f\u007f-\u009f<>:"/\\|?*]/g;

/**
 * Invisible characters that make a name read as something it is not: bidi overrides and
 * isolates (`invoice\u202Efdp.exe` shows as `invoiceexe.pdf`), marks, zero-width characters and
 * the BOM. They are removed.
 */
const invisible = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A lone surrogate is not Unicode; no file system can store it faithfully. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Device names Windows reserves with any extension (`CON`, `nul.txt`), superscript digits too. */
const windowsReserved = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * The file name a response suggests, already sanitised (semantics section 2, invariant #20):
 * `filename*` (RFC 8187, UTF-8 or ISO-8859-1) first, then `filename`, then the URL's last path
 * segment (percent-decoded), then `download`.
 *
 * @example
 * ```ts
 * suggestedFileName(`attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf`, 'https://x.example/a'); // '€ rates.pdf'
 * suggestedFileName('attachment; filename="../../etc/passwd"', 'https://x.example/a'); // '_.._etc_passwd'
 * suggestedFileName(undefined, 'https://x.example/files/report%202024.csv'); // 'report 2024.csv'
 * ```
 */
export function suggestedFileName(contentDisposition: string | undefined, url: string): string {
  const parameters = contentDisposition === undefined ? new Map<string, string>() : dispositionParameters(contentDisposition);
  const extended = parameters.get('filename*');
  const candidates = [
    extended === undefined ? null : decodeExtendedValue(extended),
    parameters.get('filename') ?? null,
    lastPathSegment(url),
  ];
  for (const candidate of candidates) {
    const name = candidate === null ? null : sanitizeOrNull(candidate);
    if (name !== null) return name;
  }
  return fallbackFileName;
}

/**
 * Makes `name` one safe path component on every OS: separators and characters Windows forbids
 * become `_`; control, bidi and zero-width characters go; leading dots and spaces go (no hidden
 * files, no `.` or `..`) as do trailing ones (Windows drops them, so `a.` and `a` would collide);
 * Windows device names (`CON`, `nul.txt`, `COM1`) get a `_` prefix; and the result is at most 255
 * bytes of UTF-8, cut at a character boundary with the extension kept. Empty becomes `download`.
 *
 * @example
 * ```ts
 * sanitizeFileName('../../x'); // '_.._x'
 * sanitizeFileName('CON'); // '_CON'
 * sanitizeFileName('..'); // 'download'
 * ```
 */
export function sanitizeFileName(name: string): string {
  return sanitizeOrNull(name) ?? fallbackFileName;
}

/** `sanitizeFileName`, with null where nothing usable is left (so the next candidate is tried). */
function sanitizeOrNull(name: string): string | null {
  let result = name
    .normalize('NFC')
    .replace(loneSurrogate, '_')
    .replace(invisible, '')
    .replace(replaced, '_');
  result = trimDotsAndSpaces(result);
  if (result === '') return null;
  const stem = result.split('.')[0] ?? '';
  if (windowsReserved.test(stem.trimEnd())) result = `_${result}`;
  result = trimDotsAndSpaces(truncateKeepingExtension(result, maxNameBytes));
  return result === '' ? null : result;
}

function trimDotsAndSpaces(name: string): string {
  return name.replace(/^[\s.]+|[\s.]+$/g, '');
}

function truncateKeepingExtension(name: string, limit: number): string {
  if (utf8Length(name) <= limit) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const keepExtension = extension !== '' && utf8Length(extension) <= maxExtensionBytes;
  const stem = keepExtension ? name.slice(0, dot) : name;
  const suffix = keepExtension ? extension : '';
  const budget = limit - utf8Length(suffix);
  const cut = truncateUtf8(stem, budget);
  return cut + suffix;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** `type; name=value; name="quoted; value"` into lower-case names and unquoted values (RFC 6266). */
function dispositionParameters(header: string): Map<string, string> {
  const parameters = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (const match of header.matchAll(pattern)) {
    const key = (match[1] ?? '').toLowerCase();
    const raw = (match[2] ?? '').trim();
    const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
    const value = quoted ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    // The first occurrence wins: a second filename is ambiguous, and the first is what was meant.
    if (!parameters.has(key)) parameters.set(key, value);
  }
  return parameters;
}

/** RFC 8187 ext-value: `charset'[language]'pct-encoded`, for UTF-8 and ISO-8859-1. */
function decodeExtendedValue(value: string): string | null {
  const match = /^([^']*)'[^']*'(.*)$/.exec(value);
  if (match === null) return null;
  const charset = (match[1] ?? '').toLowerCase();
  const bytes = percentDecode(match[2] ?? '');
  if (bytes === null) return null;
  if (charset === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return null;
    }
  }
  // Each ISO-8859-1 byte is the code point of the same number.
  if (charset === 'iso-8859-1') return Array.from(bytes, (byte) => String.fromCharCode(byte)).join('');
  return null;
}

function percentDecode(text: string): Uint8Array | null {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (text[index] === '%') {
      const hex = text.slice(index + 1, index + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else if (character < 0x80) {
      bytes.push(character);
    } else {
      // attr-char is ASCII only; a raw non-ASCII character is not a valid ext-value.
      return null;
    }
  }
  return Uint8Array.from(bytes);
}

function lastPathSegment(url: string): string | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  const segment = pathname.slice(pathname.lastIndexOf('/') + 1);
  if (segment === '') return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
