import { describe, expect, it } from 'vitest';
import { sanitizeFileName, suggestedFileName } from './file-name.js';

const utf8 = (text: string): number => new TextEncoder().encode(text).length;

/** What every sanitised name must be: one component that stays inside its directory on any OS (#20). */
function expectSafeComponent(name: string): void {
  expect(name).not.toBe('');
  expect(name).not.toBe('.');
  expect(name).not.toBe('..');
  expect(name).not.toMatch(/[/\\<>:"|?*]/);
  // eslint-disable-next-line no-control-regex
  expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  expect(name).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
  expect(name).not.toMatch(/^[\s.]|[\s.]$/);
  expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
  expect(utf8(name)).toBeLessThanOrEqual(255);
}

const longStem = 'a'.repeat(300);

const sanitizeRows: ReadonlyArray<{ name: string; input: string; expected: string }> = [
  { name: 'an ordinary name is kept', input: 'report 2024.pdf', expected: 'report 2024.pdf' },
  { name: 'a non-Latin name is kept', input: 'отчёт €.pdf', expected: 'отчёт €.pdf' },
  { name: 'E25 ../../x stays one component', input: '../../x', expected: '_.._x' },
  { name: 'E25 /etc/passwd stays one component', input: '/etc/passwd', expected: '_etc_passwd' },
  { name: 'E25 C:\\x stays one component', input: 'C:\\x', expected: 'C__x' },
  { name: 'E25 ..\\..\\x stays one component', input: '..\\..\\x', expected: '_.._x' },
  { name: 'E25 . is replaced by download', input: '.', expected: 'download' },
  { name: 'E25 .. is replaced by download', input: '..', expected: 'download' },
  { name: 'E25 empty is replaced by download', input: '', expected: 'download' },
  { name: 'only spaces and dots is replaced by download', input: ' . . ', expected: 'download' },
  { name: 'E25 CON gets a prefix', input: 'CON', expected: '_CON' },
  { name: 'E25 con.txt (any case, any extension) gets a prefix', input: 'con.txt', expected: '_con.txt' },
  { name: 'E25 NUL.tar.gz gets a prefix', input: 'NUL.tar.gz', expected: '_NUL.tar.gz' },
  { name: 'COM1 gets a prefix', input: 'COM1', expected: '_COM1' },
  { name: 'LPT9.log gets a prefix', input: 'LPT9.log', expected: '_LPT9.log' },
  { name: 'COM¹ (superscript, reserved too) gets a prefix', input: 'COM¹.txt', expected: '_COM¹.txt' },
  { name: 'a name that only starts like a device is kept', input: 'CONSOLE.txt', expected: 'CONSOLE.txt' },
  { name: 'E25 a NUL character becomes _', input: 'evil\u0000.exe', expected: 'evil_.exe' },
  { name: 'control characters become _', input: 'a\u0001b\nc\u007fd\u009be', expected: 'a_b_c_d_e' },
  { name: 'E25 U+202E is removed so the real extension shows', input: 'invoice\u202Efdp.exe', expected: 'invoicefdp.exe' },
  { name: 'bidi isolates and marks are removed', input: '\u2066a\u2069\u200Eb\u200F.txt', expected: 'ab.txt' },
  { name: 'zero-width characters and a BOM are removed', input: '\ufeffa\u200bb.txt', expected: 'ab.txt' },
  { name: 'Windows-forbidden characters become _', input: 'a<b>c:d"e|f?g*h.txt', expected: 'a_b_c_d_e_f_g_h.txt' },
  { name: 'leading dots go (no hidden files)', input: '.bashrc', expected: 'bashrc' },
  { name: 'trailing dots and spaces go (Windows drops them)', input: 'name. . ', expected: 'name' },
  { name: 'a lone surrogate becomes _', input: 'a\ud800b.txt', expected: 'a_b.txt' },
  { name: 'decomposed accents are composed (NFC)', input: 'e\u0301.txt', expected: '\u00e9.txt' },
  { name: 'E25 a 300-byte name is cut to 255 bytes keeping its extension', input: `${longStem}.pdf`, expected: `${'a'.repeat(251)}.pdf` },
  { name: 'a 300-byte name with no extension is cut to 255 bytes', input: longStem, expected: 'a'.repeat(255) },
  { name: 'a name cut in multi-byte characters never splits one', input: `${'é'.repeat(200)}.txt`, expected: `${'é'.repeat(125)}.txt` },
  { name: 'a name cut in astral characters never splits a surrogate pair', input: `${'😀'.repeat(100)}.txt`, expected: `${'😀'.repeat(62)}.txt` },
  { name: 'an extension too long to keep is cut with the name', input: `a.${'b'.repeat(300)}`, expected: `a.${'b'.repeat(253)}` },
];

describe('sanitizeFileName', () => {
  for (const row of sanitizeRows) {
    it(row.name, () => {
      const result = sanitizeFileName(row.input);
      expect(result).toBe(row.expected);
      expectSafeComponent(result);
    });
  }
});

const suggestRows: ReadonlyArray<{ name: string; disposition: string | undefined; url: string; expected: string }> = [
  { name: 'filename* (RFC 8187 UTF-8) is preferred', disposition: `attachment; filename="fallback.pdf"; filename*=UTF-8''%E2%82%AC%20rates.pdf`, url: 'https://x.example/a.bin', expected: '€ rates.pdf' },
  { name: 'filename* with a language tag', disposition: `attachment; filename*=utf-8'en'na%C3%AFve.txt`, url: 'https://x.example/a.bin', expected: 'naïve.txt' },
  { name: 'filename* in ISO-8859-1', disposition: `attachment; filename*=iso-8859-1''na%EFve.txt`, url: 'https://x.example/a.bin', expected: 'naïve.txt' },
  { name: 'filename* with invalid UTF-8 falls back to filename', disposition: `attachment; filename*=UTF-8''%FF%FE.txt; filename="plain.txt"`, url: 'https://x.example/a.bin', expected: 'plain.txt' },
  { name: 'filename* with an unknown charset falls back to filename', disposition: `attachment; filename*=koi8-r''abc.txt; filename="plain.txt"`, url: 'https://x.example/a.bin', expected: 'plain.txt' },
  { name: 'filename* with a broken escape falls back to filename', disposition: `attachment; filename*=UTF-8''%zz.txt; filename="plain.txt"`, url: 'https://x.example/a.bin', expected: 'plain.txt' },
  { name: 'a quoted filename', disposition: 'attachment; filename="annual report.pdf"', url: 'https://x.example/a.bin', expected: 'annual report.pdf' },
  { name: 'a quoted filename with an escaped quote and a semicolon', disposition: 'attachment; filename="say \\"hi\\"; ok.txt"', url: 'https://x.example/a.bin', expected: 'say _hi_; ok.txt' },
  { name: 'a token filename', disposition: 'attachment; filename=data.csv', url: 'https://x.example/a.bin', expected: 'data.csv' },
  { name: 'parameter names are case-insensitive', disposition: 'attachment; FILENAME="upper.txt"', url: 'https://x.example/a.bin', expected: 'upper.txt' },
  { name: 'inline with a filename', disposition: 'inline; filename="shown.txt"', url: 'https://x.example/a.bin', expected: 'shown.txt' },
  { name: 'E25 filename*=UTF-8\'\'..%2F..%2Fx stays one component', disposition: `attachment; filename*=UTF-8''..%2F..%2Fx`, url: 'https://x.example/a.bin', expected: '_.._x' },
  { name: 'E25 filename="/etc/passwd" stays one component', disposition: 'attachment; filename="/etc/passwd"', url: 'https://x.example/a.bin', expected: '_etc_passwd' },
  { name: 'E25 filename=".." falls back to the URL', disposition: 'attachment; filename=".."', url: 'https://x.example/a.bin', expected: 'a.bin' },
  { name: 'E25 filename with U+202E in filename*', disposition: `attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe`, url: 'https://x.example/a.bin', expected: 'invoicefdp.exe' },
  { name: 'E25 filename with an encoded NUL', disposition: `attachment; filename*=UTF-8''evil%00.exe`, url: 'https://x.example/a.bin', expected: 'evil_.exe' },
  { name: 'a disposition without a filename falls back to the URL', disposition: 'attachment', url: 'https://x.example/files/report.pdf', expected: 'report.pdf' },
  { name: 'the URL last segment, percent-decoded', disposition: undefined, url: 'https://x.example/files/report%202024.csv?sig=1#top', expected: 'report 2024.csv' },
  { name: 'E25 a URL segment encoding ../ stays one component', disposition: undefined, url: 'https://x.example/files/..%2F..%2Fetc%2Fpasswd', expected: '_.._etc_passwd' },
  { name: 'E25 a URL segment encoding a backslash path', disposition: undefined, url: 'https://x.example/..%5C..%5Cx', expected: '_.._x' },
  { name: 'a URL segment with a broken escape is used as it is', disposition: undefined, url: 'https://x.example/100%25%zz', expected: '100%25%zz' },
  { name: 'a URL ending in / gives download', disposition: undefined, url: 'https://x.example/dir/', expected: 'download' },
  { name: 'a bare origin gives download', disposition: undefined, url: 'https://x.example', expected: 'download' },
  { name: 'E25 a URL segment named CON gets a prefix', disposition: undefined, url: 'https://x.example/CON', expected: '_CON' },
  { name: 'an invalid URL gives download', disposition: undefined, url: 'not a url', expected: 'download' },
  { name: 'a filename named download is kept, not skipped', disposition: 'attachment; filename="download"', url: 'https://x.example/a.bin', expected: 'download' },
];

describe('suggestedFileName', () => {
  for (const row of suggestRows) {
    it(row.name, () => {
      const result = suggestedFileName(row.disposition, row.url);
      expect(result).toBe(row.expected);
      expectSafeComponent(result);
    });
  }
});
