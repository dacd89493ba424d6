import type { HeaderMap } from '../model/http.js';

/**
 * Headers that carry credentials whatever the app configured: they never follow a redirect to
 * another origin (invariant #21), as fetch and browsers do for Authorization.
 */
export const alwaysSensitiveHeaders: readonly string[] = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * The headers without any whose name is in `sensitiveNames` (compared case-insensitively). Used
 * before a request is persisted (unless the app opted in) and when a redirect changes origin.
 *
 * @example
 * ```ts
 * stripSensitiveHeaders({ authorization: 'Bearer x', accept: '*\/*' }, ['Authorization']);
 * // { accept: '*\/*' }
 * ```
 */
export function stripSensitiveHeaders(headers: HeaderMap, sensitiveNames: readonly string[]): HeaderMap {
  const sensitive = lowerCaseSet(sensitiveNames);
  // fromEntries defines own properties, so even a header named `__proto__` stays a header.
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !sensitive.has(name.toLowerCase())));
}

/**
 * Whether any header's name is in `sensitiveNames` (case-insensitive): a task that has some needs
 * the app's `credentials` callback after a relaunch.
 *
 * @example
 * ```ts
 * hasSensitiveHeaders({ cookie: 'a=b' }, ['cookie']); // true
 * hasSensitiveHeaders({ accept: '*\/*' }, ['cookie']); // false
 * ```
 */
export function hasSensitiveHeaders(headers: HeaderMap, sensitiveNames: readonly string[]): boolean {
  const sensitive = lowerCaseSet(sensitiveNames);
  return Object.keys(headers).some((name) => sensitive.has(name.toLowerCase()));
}

function lowerCaseSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}
