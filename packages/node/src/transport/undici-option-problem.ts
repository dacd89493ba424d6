import type { UndiciTransportOptions } from './undici-transport.js';

/** What is wrong with one option. */
export interface OptionProblem {
  readonly key: string;
  /** What was expected (`expected a boolean`), or `unknown option`. */
  readonly message: string;
}

const isBoolean = (value: unknown): boolean => typeof value === 'boolean';

/**
 * The check of each key of {@link UndiciTransportOptions}, and what its value must be. Typed by
 * the interface, so a key added there without a check here does not compile. Types matter even
 * though TypeScript declares them: from plain JavaScript (or a config file), `ssrfGuard: 'false'`
 * is truthy and would turn the guard on, and `ca: 5` or `lookup: 'x'` would fail inside undici
 * with a TypeError, or on every task.
 */
const checks: { readonly [K in keyof Required<UndiciTransportOptions>]: readonly [(value: unknown) => boolean, string] } = {
  rejectUnauthorized: [isBoolean, 'expected a boolean'],
  ca: [(value) => typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')), "expected a PEM string or an array of PEM strings (read a file as text: readFileSync(path, 'utf8'))"],
  proxyFromEnvironment: [isBoolean, 'expected a boolean'],
  ssrfGuard: [isBoolean, 'expected a boolean'],
  // A line break would let the value inject header fields of its own.
  userAgent: [(value) => value === null || (typeof value === 'string' && !/[\r\n\0]/.test(value)), 'expected a string without line breaks, or null to send none'],
  lookup: [(value) => typeof value === 'function', "expected a function like node:dns's lookup"],
  connectionsPerOrigin: [(value) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0, 'expected a positive integer'],
};

/**
 * The first problem with options meant for `createUndiciTransport`, or null when every key is
 * known and every value has its documented type. An undefined value counts as absent (the
 * default applies), as it does for the transport.
 *
 * @example
 * ```ts
 * undiciOptionProblem({ ssrfGuard: 'false' }); // { key: 'ssrfGuard', message: 'expected a boolean' }
 * undiciOptionProblem({ ssrfGuard: true, userAgent: null }); // null
 * ```
 */
export function undiciOptionProblem(options: Readonly<Record<string, unknown>>): OptionProblem | null {
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(checks, key)) return { key, message: 'unknown option' };
    const [valid, message] = checks[key as keyof typeof checks];
    if (value !== undefined && !valid(value)) return { key, message };
  }
  return null;
}
