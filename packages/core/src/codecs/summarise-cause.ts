import { truncateUtf8 } from './truncate-utf8.js';

const MAX_CAUSE_BYTES = 512;

/**
 * A one-line summary of an error's cause, for persistence (semantics section 7): `name: message`
 * and the system code when the message does not already say it (`Error: read ECONNRESET`),
 * whitespace collapsed, capped at 512 bytes. Never throws, whatever the cause is (a getter that
 * throws, an object without a prototype).
 *
 * @example
 * ```ts
 * summariseCause(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
 * // 'Error: socket hang up (ECONNRESET)'
 * ```
 */
export function summariseCause(cause: unknown): string | null {
  if (cause === undefined || cause === null) return null;
  let summary: string;
  try {
    summary = describe(cause);
  } catch {
    summary = 'an unreadable cause';
  }
  const line = summary.replace(/\s+/g, ' ').trim();
  return truncateUtf8(line === '' ? 'an empty cause' : line, MAX_CAUSE_BYTES);
}

function describe(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (typeof cause === 'number' || typeof cause === 'boolean' || typeof cause === 'bigint') return String(cause);
  if (typeof cause !== 'object' && typeof cause !== 'function') return typeof cause;
  const record = cause as { readonly name?: unknown; readonly message?: unknown; readonly code?: unknown };
  const message = typeof record.message === 'string' ? record.message : '';
  if (typeof record.name !== 'string' && message === '') return cause instanceof Error ? 'Error' : 'an object';
  const name = typeof record.name === 'string' ? record.name : 'Error';
  const code = typeof record.code === 'string' || typeof record.code === 'number' ? String(record.code) : '';
  const head = message === '' ? name : `${name}: ${message}`;
  return code !== '' && !message.includes(code) ? `${head} (${code})` : head;
}
