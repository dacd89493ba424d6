/**
 * The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, cut between code points
 * (never inside a surrogate pair). Linear, allocation-free until the cut.
 *
 * @example
 * ```ts
 * truncateUtf8('héllo', 2); // 'h' ('é' takes two bytes)
 * ```
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes: short texts need no counting.
  if (text.length * 3 <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    let size: number;
    let width = 1;
    if (unit < 0x80) size = 1;
    else if (unit < 0x800) size = 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        width = 2;
      } else size = 3; // a lone surrogate becomes U+FFFD, three bytes
    } else size = 3;
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    i += width;
  }
  return text;
}
