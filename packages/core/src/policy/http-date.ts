const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const dayNames = '(?:mon|tue|wed|thu|fri|sat|sun)';
const longDayNames = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const month = '([a-z]{3})';
const time = '(\\d{2}):(\\d{2}):(\\d{2})';

// RFC 9110 5.6.7: the preferred IMF-fixdate and the two obsolete forms a recipient must accept.
const imfFixdate = new RegExp(`^${dayNames}, (\\d{2}) ${month} (\\d{4}) ${time} gmt$`, 'i');
const rfc850Date = new RegExp(`^${longDayNames}, (\\d{2})-${month}-(\\d{2}) ${time} gmt$`, 'i');
const asctimeDate = new RegExp(`^${dayNames} ${month} ( \\d|\\d{2}) ${time} (\\d{4})$`, 'i');

/**
 * Parses an HTTP-date (RFC 9110 5.6.7) to epoch milliseconds, or `null` when it is not one.
 *
 * Written out rather than left to `Date.parse`, which reads the asctime form (which has no zone) in
 * the host's local time zone and accepts many strings that are not HTTP dates at all: a validator
 * or a Retry-After must mean the same instant on every host.
 *
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777000
 * parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'); // 784111777000
 * parseHttpDate('Sun Nov  6 08:49:37 1994'); // 784111777000
 * parseHttpDate('yesterday'); // null
 * ```
 */
export function parseHttpDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  let match = imfFixdate.exec(text);
  if (match !== null) return toEpoch(match[3], match[2], match[1], match[4], match[5], match[6]);
  match = rfc850Date.exec(text);
  if (match !== null) {
    // RFC 9110 says a two-digit year more than 50 years ahead is in the past; reading 70-99 as the
    // 1900s and 00-69 as the 2000s is that rule for the years this library will meet, and needs no
    // clock.
    const twoDigit = Number(match[3]);
    const year = String(twoDigit >= 70 ? 1900 + twoDigit : 2000 + twoDigit);
    return toEpoch(year, match[2], match[1], match[4], match[5], match[6]);
  }
  match = asctimeDate.exec(text);
  if (match !== null) return toEpoch(match[6], match[1], match[2], match[3], match[4], match[5]);
  return null;
}

function toEpoch(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
): number | null {
  const monthIndex = monthNames.indexOf((monthText ?? '').toLowerCase());
  const year = Number(yearText);
  const day = Number((dayText ?? '').trim());
  const hour = Number(hourText);
  const minute = Number(minuteText);
  // A leap second (60) is legal in the grammar; it is read as the last second of the minute.
  const second = Math.min(Number(secondText), 59);
  if (monthIndex < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || Number(secondText) > 60) return null;
  const date = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second));
  // setUTCFullYear, not Date.UTC(year, ...), which reads years 0-99 as 1900-1999.
  const epoch = date.setUTCFullYear(year, monthIndex, day);
  // Date.UTC rolls 31 Feb over into March: a date that does not exist is not a date.
  if (new Date(epoch).getUTCDate() !== day) return null;
  return epoch;
}
