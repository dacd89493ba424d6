const MAX_SHOWN = 40;

/**
 * A short, safe description of an untrusted value for an error message: never its whole content
 * (a corrupt record may hold megabytes, cycles or deep nesting), never anything that can throw.
 *
 * @example
 * ```ts
 * describeValue(-1); // '-1'
 * describeValue({ a: 1 }); // 'an object'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return 'a bigint';
    case 'string':
      return value.length > MAX_SHOWN ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return Array.isArray(value) ? 'an array' : 'an object';
  }
}

/**
 * A key as it appears in a path: short keys made of plain characters as they are, anything else
 * quoted and cut, so a hostile key cannot forge a path or flood a message.
 *
 * @example
 * ```ts
 * describeKey('offset'); // 'offset'
 * describeKey('a b'); // '"a b"'
 * ```
 */
export function describeKey(key: string): string {
  if (/^[A-Za-z0-9_$-]{1,64}$/.test(key)) return key;
  const cut = key.length > MAX_SHOWN ? `${key.slice(0, MAX_SHOWN)}...` : key;
  return JSON.stringify(cut);
}
