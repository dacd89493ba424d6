import type { AttemptRecord } from '../world/world-log.js';
import type { Violation } from './invariant-sentences.js';

/**
 * #21 Credentials stay where they belong: no request to another origin than `home` carries a
 * sensitive header, and no file holds a secret's value.
 *
 * @example
 * ```ts
 * expect(checkCredentials({ attempts: world.log.attempts, home: 'https://api.example', sensitive: ['authorization'], secrets: ['Bearer s3cret'], files })).toEqual([]);
 * ```
 */
export function checkCredentials(input: {
  readonly attempts: readonly AttemptRecord[];
  readonly home: string;
  /** Lower-case header names. */
  readonly sensitive: readonly string[];
  readonly secrets: readonly string[];
  readonly files: ReadonlyMap<string, Uint8Array>;
}): Violation[] {
  const violations: Violation[] = [];
  for (const attempt of input.attempts) {
    if (attempt.origin === input.home) continue;
    const leaked = input.sensitive.filter((name) => attempt.headers[name] !== undefined);
    if (leaked.length > 0) violations.push({ invariant: 21, message: `${attempt.url} (t=${attempt.at}) carried ${leaked.join(', ')} of ${input.home}` });
  }
  const encoder = new TextEncoder();
  for (const [path, bytes] of input.files) {
    for (const secret of input.secrets) {
      if (contains(bytes, encoder.encode(secret))) violations.push({ invariant: 21, message: `${path} holds the secret ${JSON.stringify(secret)}` });
    }
  }
  return violations;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    for (let index = 0; index < needle.length; index += 1) if (haystack[start + index] !== needle[index]) continue outer;
    return true;
  }
  return false;
}
